"""Split GGUF parts are found, ordered, and missing ones named."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ModelFileError
from app.core.store.manage import ggufs_in
from app.core.store.splits import model_parts, split_stem


def touch(folder: Path, *names: str) -> list[Path]:
    paths = [folder / n for n in names]
    for p in paths:
        p.write_bytes(b"GGUF")
    return paths


def test_single_file_is_its_own_part(tmp_path: Path) -> None:
    (single,) = touch(tmp_path, "m.gguf")
    assert model_parts(single) == [single]
    assert split_stem("m.gguf") == "m"


def test_parts_are_listed_in_order(tmp_path: Path) -> None:
    parts = touch(tmp_path, *(f"m-q8_0-0000{i}-of-00003.gguf" for i in (3, 1, 2)))
    assert model_parts(parts[1]) == sorted(parts)
    assert split_stem(parts[0].name) == "m-q8_0"


def test_later_part_or_missing_parts_are_refused(tmp_path: Path) -> None:
    first, _ = touch(tmp_path, "m-00001-of-00004.gguf", "m-00003-of-00004.gguf")
    with pytest.raises(ModelFileError, match=r"part 3 of 4: give the first part, m-00001-of-00004\.gguf"):
        model_parts(tmp_path / "m-00003-of-00004.gguf")
    with pytest.raises(ModelFileError, match=r"2 of 4 parts are missing \(m-00002-of-00004.gguf, m-00004"):
        model_parts(first)


def test_only_first_parts_are_listed_and_of_in_a_name_is_not_a_split(tmp_path: Path) -> None:
    names = [
        "qwen-00001-of-00002.gguf",
        "qwen-00002-of-00002.gguf",
        "Mixture-of-Experts-Q4.gguf",
        "best-of-breed.gguf",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"GGUF")
    assert [p.name for p in ggufs_in(tmp_path)] == [
        "Mixture-of-Experts-Q4.gguf",
        "best-of-breed.gguf",
        "qwen-00001-of-00002.gguf",
    ]
