"""Model files for store tests: a split tiny model, and one that crashes llama.cpp."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from tests.support.tiny_gguf import N_EMBD, N_HEAD, write_tiny_qwen


def write_split_tiny(folder: Path, *, stem: str = "tiny-split") -> list[Path]:
    """A tiny qwen2 model written as two GGUF shards (`stem-0000N-of-00002.gguf`)."""
    import gguf

    original = gguf.GGUFWriter
    gguf.GGUFWriter = functools.partial(original, split_max_tensors=14)  # type: ignore[misc]
    try:
        write_tiny_qwen(folder / f"{stem}.gguf")
    finally:
        gguf.GGUFWriter = original  # type: ignore[misc]
    return sorted(folder.glob(f"{stem}-*-of-*.gguf"))


def write_crashing_tiny(path: Path) -> Path:
    """A tiny qwen2 model that passes Python validation but aborts llama.cpp.

    Its rope dimension count differs from the head size: llama.cpp loads it, then stops the
    process at `GGML_ASSERT(n_embd_head == n_rot)` while building the first graph.
    """
    import gguf

    original = gguf.GGUFWriter

    class Writer(original):  # type: ignore[misc, valid-type]
        def write_header_to_file(self, *args: Any, **kwargs: Any) -> None:
            self.add_uint32("qwen2.rope.dimension_count", N_EMBD // N_HEAD - 1)
            super().write_header_to_file(*args, **kwargs)

    gguf.GGUFWriter = Writer  # type: ignore[misc]
    try:
        return write_tiny_qwen(path)
    finally:
        gguf.GGUFWriter = original  # type: ignore[misc]
