"""The one chunked file hash, as import, verify, the probe cache and a resumed download use it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, ModelFileError
from app.core.store.hashing import CHUNK, feed_file, hash_file, sha256_of
from app.core.store.progress import ByteProgress


def test_a_file_over_several_chunks_hashes_as_one(tmp_path: Path) -> None:
    data = bytes(range(256)) * (CHUNK // 256 * 2 + 3)  # two chunks and a bit
    path = tmp_path / "model.gguf"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_of(path) == expected
    items = list(hash_file(path, cancel=CancelToken()))
    assert items[-1] == expected
    progress = [i for i in items if isinstance(i, ByteProgress)]
    assert progress and progress[-1].done == progress[-1].total == len(data)
    digest = hashlib.sha256()
    assert list(feed_file(path, digest, cancel=None)) == [CHUNK, 2 * CHUNK, len(data)]


def test_a_cancel_stops_hashing_and_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"x" * 10)
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        sha256_of(path, cancel=cancel)
    with pytest.raises(ModelFileError, match=r"missing\.gguf: cannot be read"):
        list(hash_file(tmp_path / "missing.gguf", cancel=CancelToken()))
