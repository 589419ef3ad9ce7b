"""The KV cache of the code-free start of every prompt (system prompt and tool schemas), kept across launches.

That start holds nothing from the user's project: it is Enclave's own text, the same for
every project. Its KV state (llama.cpp's sequence state, no logits) is saved once in the
cache folder, keyed by model sha256, llama.cpp build, context settings and the exact
tokens, so the next launch loads it instead of reading those tokens again. Whether that
pays is measured when the state is saved (reading the tokens vs loading the state); where
loading is not faster, nothing is kept and the decision is remembered. Anything derived
from a project (the map, files) is never saved. Forget Everything removes the folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import logging
import struct
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.atomic_file import write_atomic
from app.core.paths import user_dirs

logger = logging.getLogger(__name__)

STATE_DIR = "kv-states"
_MAGIC = b"ENCLAVE-KV1\n"


def state_dir() -> Path:
    """Where saved states live (inside the cache folder)."""
    return user_dirs().cache / STATE_DIR


def state_key(*, model_id: str, tokens: Sequence[int], context: str) -> str:
    """The key of a saved state: the model, the llama.cpp build and context setup, the exact tokens."""
    from app.core.runtime.probe_cache import build_id

    digest = hashlib.sha256()
    for part in (model_id, build_id(), context):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(struct.pack(f"<{len(tokens)}i", *tokens))
    return digest.hexdigest()[:32]


def restore(llm: Any, tokens: Sequence[int], *, key: str) -> float | None:
    """Load the saved state for `tokens` into an empty context; the seconds it took, or None.

    After it, the context holds exactly `tokens`, as if they had been evaluated.
    """
    path = state_dir() / f"{key}.kv"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    started = time.perf_counter()
    count = len(tokens)
    header = len(_MAGIC) + 4 + 4 * count
    if not data.startswith(_MAGIC) or len(data) <= header:
        return None
    (stored,) = struct.unpack_from("<I", data, len(_MAGIC))
    if stored != count or list(struct.unpack_from(f"<{count}i", data, len(_MAGIC) + 4)) != list(tokens):
        return None
    import llama_cpp

    blob = data[header:]
    buffer = (ctypes.c_uint8 * len(blob)).from_buffer_copy(blob)
    llm.reset()
    if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buffer, len(blob), 0) == 0:
        logger.info("a saved prompt state did not load; reading the tokens instead")
        llm.reset()
        return None
    llm.input_ids[:count] = tokens
    llm.n_tokens = count
    llm._requires_eval = True  # the logits of the last token were not saved
    return time.perf_counter() - started


def save_if_it_pays(llm: Any, tokens: Sequence[int], *, key: str, eval_s: float) -> bool:
    """Save the context's state (holding exactly `tokens`) when loading it beats reading them again.

    The saved state is loaded back at once to time it (and to check it); when that is not
    faster than `eval_s`, the file goes and the decision is remembered for this key.
    """
    decisions = _decisions()
    if decisions.get(key) == "recompute" or llm.n_tokens != len(tokens):
        return False
    import llama_cpp

    size = llama_cpp.llama_state_seq_get_size(llm._ctx.ctx, 0)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(llm._ctx.ctx, buffer, size, 0)
    if written <= 0:
        return False
    path = state_dir() / f"{key}.kv"
    payload = _MAGIC + struct.pack("<I", len(tokens)) + struct.pack(f"<{len(tokens)}i", *tokens)
    try:
        write_atomic(path, payload + bytes(buffer)[:written])
    except OSError as exc:
        logger.info("prompt state not saved (%s)", exc.strerror or type(exc).__name__)
        return False
    load_s = restore(llm, tokens, key=key)
    if load_s is None or load_s >= eval_s:
        with contextlib.suppress(OSError):
            path.unlink()
        decisions[key] = "recompute"
        _save_decisions(decisions)
        logger.info("prompt state not kept: loading %s s vs reading %.3f s", load_s, eval_s)
        return False
    decisions[key] = f"load {load_s:.3f}s < read {eval_s:.3f}s"
    _save_decisions(decisions)
    logger.info("prompt state kept: %d tokens, %d bytes", len(tokens), written)
    return True


def _decisions() -> dict[str, str]:
    try:
        raw = json.loads((state_dir() / "decisions.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _save_decisions(decisions: dict[str, str]) -> None:
    with contextlib.suppress(OSError):
        write_atomic(state_dir() / "decisions.json", json.dumps(decisions, indent=1).encode("utf-8"))
