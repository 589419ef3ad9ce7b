"""One call that says whether a file is a model this build of llama.cpp can load."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import ModelFileError
from app.core.runtime.architectures import is_known_architecture
from app.core.runtime.gguf_file import GGUFInfo, read_gguf

_REQUIRED_HPARAMS = ("block_count", "embedding_length", "attention.head_count")
# Architectures whose graph asserts that rope covers the whole head (n_rot == head size).
_FULL_ROPE_ARCHS = frozenset({"qwen2", "qwen2moe", "qwen3", "qwen3moe", "qwen2vl", "llama"})


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
    _check_heads(info)
    return info


def _check_heads(info: GGUFInfo) -> None:
    # llama.cpp aborts the whole process (GGML_ASSERT, not an exception) on some
    # inconsistent head sizes, so they are caught here first.
    name, arch = info.path.name, info.architecture
    n_embd = int(info.arch_value("embedding_length", 0) or 0)
    n_head = info.arch_value("attention.head_count", 0)
    if not isinstance(n_head, int) or n_head <= 0 or n_embd <= 0:
        return  # per-layer head counts (some hybrids): llama.cpp checks these itself
    head_dim = int(info.arch_value("attention.key_length", 0) or 0) or n_embd // n_head
    if not info.arch_value("attention.key_length") and n_embd % n_head:
        raise ModelFileError(
            f"{name}: embedding size {n_embd} is not a multiple of {n_head} heads (corrupt file)"
        )
    n_rot = info.arch_value("rope.dimension_count")
    if arch in _FULL_ROPE_ARCHS and isinstance(n_rot, int) and n_rot != head_dim:
        raise ModelFileError(
            f"{name}: rope dimension {n_rot} differs from the head size {head_dim}; llama.cpp cannot run it"
        )
    n_kv = info.arch_value("attention.head_count_kv", n_head)
    if isinstance(n_kv, int) and (n_kv <= 0 or n_head % n_kv):
        raise ModelFileError(f"{name}: {n_head} attention heads cannot share {n_kv} KV heads (corrupt file)")
