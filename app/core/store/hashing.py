"""sha256 of model files, in chunks, cancellable, with progress: the one loop that reads a file to hash it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from app.core.cancel import CancelToken
from app.core.errors import ModelFileError
from app.core.store.progress import ByteProgress, RateMeter

CHUNK = 4 * 2**20


class Digest(Protocol):
    """What `hashlib.sha256()` is to `feed_file`."""

    def update(self, data: bytes, /) -> None:
        """Add `data` to the hash."""


def feed_file(path: Path, digest: Digest, *, cancel: CancelToken | None) -> Iterator[int]:
    """Feed `path` to `digest` a chunk at a time, yielding the bytes read so far after each.

    Raises:
        OSError: the file cannot be read.
        Cancelled: `cancel` was set (checked before each chunk is hashed).

    """
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            digest.update(chunk)
            done += len(chunk)
            yield done


def sha256_of(path: Path, *, cancel: CancelToken | None = None) -> str:
    """The hex sha256 of `path`, without progress.

    Raises:
        OSError: the file cannot be read.
        Cancelled: `cancel` was set.

    """
    digest = hashlib.sha256()
    for _done in feed_file(path, digest, cancel=cancel):
        pass
    return digest.hexdigest()


def hash_file(path: Path, *, cancel: CancelToken, stage: str = "hashing") -> Iterator[ByteProgress | str]:
    """Yield progress while hashing `path`; the last item is the hex digest (a `str`).

    Raises:
        ModelFileError: the file cannot be read.
        Cancelled: `cancel` was set.

    """
    digest = hashlib.sha256()
    try:
        total = path.stat().st_size
        meter = RateMeter(stage, path.name, total)
        done = 0
        for done in feed_file(path, digest, cancel=cancel):
            event = meter.update(done)
            if event:
                yield event
    except OSError as exc:
        raise ModelFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    final = meter.update(done, force=True)
    if final:
        yield final
    yield digest.hexdigest()
