"""One call that says whether a file is a model this build of llama.cpp can load."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import ModelFileError
from app.core.runtime.architectures import is_known_architecture
from app.core.runtime.gguf_file import GGUFInfo, read_gguf

_REQUIRED_HPARAMS = ("block_count", "embedding_length", "attention.head_count")


def validate_model(path: Path) -> GGUFInfo:
    """Check `path` fully in Python; return what was read.

    Raises:
        ModelFileError: with one line that says what is wrong and, where it helps, what to do.

    """
    info = read_gguf(Path(path))
    arch = info.architecture
    if not is_known_architecture(arch):
        raise ModelFileError(
            f"{info.path.name}: architecture {arch!r} is not supported by this llama.cpp build "
            "(update llama-cpp-python or pick another model)"
        )
    split_count = info.metadata.get("split.count", 0)
    if isinstance(split_count, int) and split_count > 1 and info.metadata.get("split.no", 0) == 0:
        return info  # the first shard of a split model carries metadata; hparams may live in it
    missing = [k for k in _REQUIRED_HPARAMS if info.arch_value(k) is None]
    if missing:
        raise ModelFileError(f"{info.path.name}: metadata lacks {arch}.{missing[0]} (incomplete conversion?)")
    if "tokenizer.ggml.model" not in info.metadata:
        raise ModelFileError(f"{info.path.name}: the file has no tokenizer (not a chat model)")
    return info
