"""sha256 of model files, in chunks, cancellable, with progress."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from app.core.errors import ModelFileError
from app.core.events import CancelToken
from app.core.store.progress import ByteProgress, RateMeter

CHUNK = 4 * 2**20


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
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                cancel.raise_if_cancelled()
                digest.update(chunk)
                done += len(chunk)
                event = meter.update(done)
                if event:
                    yield event
    except OSError as exc:
        raise ModelFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    final = meter.update(done, force=True)
    if final:
        yield final
    yield digest.hexdigest()
