"""Split GGUF models: `name-00001-of-00003.gguf` and its sibling parts."""

from __future__ import annotations

import re
from pathlib import Path

from app.core.errors import ModelFileError

_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)


def split_stem(file_name: str) -> str:
    """The name without the `-0000N-of-0000M.gguf` tail (or without `.gguf`)."""
    m = _SPLIT.match(file_name)
    if m:
        return m["stem"]
    return file_name[:-5] if file_name.lower().endswith(".gguf") else file_name


def is_later_part(file_name: str) -> bool:
    """Whether `file_name` is part 2 or later of a split model (not a model to list on its own)."""
    m = _SPLIT.match(file_name)
    return m is not None and int(m["no"]) != 1


def model_parts(first: Path) -> list[Path]:
    """Every part of the model whose first file is `first` (just `[first]` when not split).

    Raises:
        ModelFileError: `first` is a later part, or parts are missing (all of them named).

    """
    m = _SPLIT.match(first.name)
    if not m:
        return [first]
    number, count = int(m["no"]), int(m["count"])
    if count < 1 or number > count:
        raise ModelFileError(f"{first.name}: the part number does not make sense")
    if number != 1:
        first_name = f"{m['stem']}-00001-of-{m['count']}.gguf"
        raise ModelFileError(f"{first.name} is part {number} of {count}: give the first part, {first_name}")
    parts = [first.with_name(f"{m['stem']}-{i:05d}-of-{m['count']}.gguf") for i in range(1, count + 1)]
    missing = [p.name for p in parts if not p.is_file()]
    if missing:
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        raise ModelFileError(f"{first.name}: {len(missing)} of {count} parts are missing ({shown})")
    return parts
