r"""Which model architectures the installed llama.cpp build can run.

llama.cpp has no API that lists its architectures, but every name it knows is stored as a
NUL-terminated string in libllama. Looking for `<arch>\0` in the library answers the
question for the exact build installed, without loading it. (Only the terminator is
matched: the linker merges a name into the tail of a longer string that ends the same way.)
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

# Used only when the library cannot be found (e.g. a frozen app with an unusual layout).
_FALLBACK = frozenset(
    [
        "llama",
        "qwen2",
        "qwen2moe",
        "qwen3",
        "qwen3moe",
        "qwen2vl",
        "phi2",
        "phi3",
        "gemma",
        "gemma2",
        "gemma3",
        "mistral3",
        "starcoder2",
        "deepseek2",
        "granite",
        "command-r",
        "olmo2",
        "falcon",
        "gpt2",
        "bert",
        "nomic-bert",
    ]
)


def llama_library() -> Path | None:
    """Locate libllama of the installed llama_cpp package without importing it."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        lib_dir = Path(folder) / "lib"
        for name in ("libllama.so", "libllama.dylib", "llama.dll"):
            if (lib_dir / name).is_file():
                return lib_dir / name
    return None


@functools.cache
def _library_bytes() -> bytes | None:
    lib = llama_library()
    if lib is None:
        return None
    try:
        return lib.read_bytes()
    except OSError:
        logger.warning("cannot read libllama to list architectures")
        return None


def is_known_architecture(arch: str) -> bool:
    """True when this llama.cpp build names `arch` among its architectures."""
    if not arch or "\0" in arch:
        return False
    blob = _library_bytes()
    if blob is None:
        return arch in _FALLBACK
    return arch.encode() + b"\0" in blob
