"""Every way of running out of room reads as a full disk, in import and download alike."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from app.core.store.location import DISK_FULL_ERRNOS
from app.core.store.model_import import _place_error


@pytest.mark.parametrize("code", sorted(DISK_FULL_ERRNOS))
def test_no_room_says_the_disk_is_full(code: int) -> None:
    message = str(_place_error(Path("model.gguf"), OSError(code, "no room")))
    assert message.startswith("the disk is full: model.gguf")


def test_a_quota_counts_as_no_room() -> None:
    if hasattr(errno, "EDQUOT"):
        assert errno.EDQUOT in DISK_FULL_ERRNOS
