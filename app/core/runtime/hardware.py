"""What this machine offers the model: memory, cores and which llama.cpp backend runs."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.core.runtime.architectures import llama_library

logger = logging.getLogger(__name__)

_GPU_LIBS = {"cuda": "ggml-cuda", "metal": "ggml-metal", "vulkan": "ggml-vulkan", "rocm": "ggml-hip"}


@dataclass(frozen=True)
class Hardware:
    """A snapshot of the machine's resources."""

    total_ram: int
    free_ram: int
    physical_cores: int
    logical_cores: int
    gpu_backends: tuple[str, ...]  # GPU backends compiled into this llama.cpp build
    vram_total: int  # 0 when unknown or none
    vram_free: int
    gpu_name: str

    @property
    def unified_memory(self) -> bool:
        """Apple Silicon: the GPU uses system RAM."""
        return "metal" in self.gpu_backends


@dataclass(frozen=True)
class BackendChoice:
    """Which backend runs the model and why."""

    backend: str  # cpu | cuda | metal | vulkan | rocm
    n_gpu_layers: int  # -1 offloads every layer
    reason: str


def probe_hardware() -> Hardware:
    """Read memory and cores, and ask the build which GPU backends it has."""
    import psutil

    mem = psutil.virtual_memory()
    backends = compiled_gpu_backends()
    vram_total = vram_free = 0
    gpu_name = ""
    if "cuda" in backends:
        vram_total, vram_free, gpu_name = _nvidia_memory()
    return Hardware(
        total_ram=int(mem.total),
        free_ram=int(mem.available),
        physical_cores=psutil.cpu_count(logical=False) or os.cpu_count() or 1,
        logical_cores=os.cpu_count() or 1,
        gpu_backends=backends,
        vram_total=vram_total,
        vram_free=vram_free,
        gpu_name=gpu_name,
    )


def compiled_gpu_backends() -> tuple[str, ...]:
    """GPU backends present in the installed llama.cpp build (from its library files)."""
    lib = llama_library()
    if lib is None:
        return ()
    names = [p.name for p in lib.parent.iterdir()]
    found = [b for b, stem in _GPU_LIBS.items() if any(stem in n for n in names)]
    if not found and _linked_into(lib, b"ggml_backend_cuda"):
        found.append("cuda")
    if not found and _linked_into(lib, b"ggml_backend_metal"):
        found.append("metal")
    return tuple(found)


def _linked_into(lib: Path, symbol: bytes) -> bool:
    for candidate in (lib, *lib.parent.glob("libggml*")):
        try:
            if symbol in candidate.read_bytes():
                return True
        except OSError:
            continue
    return False


def _nvidia_memory() -> tuple[int, int, str]:
    """Total and free VRAM of the first NVIDIA GPU, via nvidia-smi (a local process)."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return 0, 0, ""
    try:
        out = subprocess.run(
            [exe, "--query-gpu=memory.total,memory.free,name", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
        total, free, name = (part.strip() for part in out.splitlines()[0].split(",", 2))
        return int(total) * 2**20, int(free) * 2**20, name
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        logger.info("nvidia-smi present but gave no usable answer")
        return 0, 0, ""


def choose_backend(hw: Hardware, *, gpu: str = "auto") -> BackendChoice:
    """Decide between CPU and GPU offload, and say why in words a user understands."""
    if not hw.gpu_backends:
        return BackendChoice(
            "cpu",
            0,
            "this llama.cpp build has no GPU backend (reinstall with CMAKE_ARGS for CUDA or Metal)",
        )
    backend = hw.gpu_backends[0]
    if gpu == "off":
        return BackendChoice("cpu", 0, f"{backend} available but GPU use is off in settings")
    if backend == "cuda" and hw.vram_total == 0:
        return BackendChoice("cpu", 0, "CUDA build, but no NVIDIA GPU answered (driver missing?)")
    where = f" on {hw.gpu_name}" if hw.gpu_name else ""
    return BackendChoice(backend, -1, f"{backend} build; all layers offloaded{where}")
