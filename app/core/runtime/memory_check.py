"""Refuse, before anything reads it, a model that cannot fit in this machine's memory at all."""

from __future__ import annotations

from app.core.errors import EnclaveError
from app.core.runtime.gguf_file import GGUFInfo
from app.core.runtime.hardware import Hardware
from app.core.store.splits import model_parts

GIB = 2**30


def check_fits_memory(gguf: GGUFInfo, hw: Hardware, *, on_gpu: bool) -> int:
    """The model's size on disk (every part of a split model), checked against RAM (and VRAM).

    llama.cpp maps the file and pages it in; a file larger than all the memory there is
    (a 500 GB sparse file, a model for a bigger machine) would page forever instead of
    failing, and hashing it for the probe would take as long.

    Raises:
        ModelFileError: parts of a split model are missing (all of them named).
        EnclaveError: the model is larger than the machine's memory.

    """
    size = sum(part.stat().st_size for part in model_parts(gguf.path))
    room = hw.total_ram + (hw.vram_total if on_gpu and not hw.unified_memory else 0)
    if size > room:
        where = "RAM and GPU memory" if on_gpu and hw.vram_total else "RAM"
        raise EnclaveError(
            f"{gguf.path.name} is {size / GIB:.1f} GiB, more than this machine's {room / GIB:.1f} GiB of "
            f"{where}: it cannot run here (pick a smaller model or quantisation)"
        )
    return size
