"""`enclave models import|list|verify|remove` end to end, in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import run_cli
from app.core.store.location import StoreLocation
from app.core.store.manifest import Manifest


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_cli(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_list_verify_remove(
    tiny_qwen2: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = Path(shutil.copy(tiny_qwen2, tmp_path / "mine.gguf"))
    code, out, err = cli(capsys, "models", "import", str(source), "--link")
    assert code == 0, err
    assert "mine installed" in out and "probing" in err

    code, out, _ = cli(capsys, "models", "list", "--json")
    (row,) = json.loads(out)
    assert (row["id"], row["source"], row["present"], row["active"]) == ("mine", "link", True, True)

    code, out, _ = cli(capsys, "models", "verify")
    assert code == 0 and "mine: ok" in out

    installed = Path(row["path"])
    installed.unlink()
    installed.write_bytes(source.read_bytes()[:-1] + b"\x01")  # the copy in the models folder changes
    code, out, _ = cli(capsys, "models", "verify", "mine")
    assert code == 1 and "changed since it was installed" in out

    code, out, _ = cli(capsys, "models", "remove", "mine")
    assert code == 0 and "removed mine" in out
    assert not installed.exists() and source.exists()  # only files inside the models folder go
    assert Manifest.load(StoreLocation.default().manifest_file).models == []


def test_refused_import_exits_non_zero_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model at all")
    code, _, err = cli(capsys, "models", "import", str(bad))
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("enclave: bad.gguf: not a GGUF model file")


def test_unknown_ids_are_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "models", "remove", "ghost")[0] == 1
    code, _, err = cli(capsys, "models", "download", "ghost")
    assert code == 1 and "not in the model catalog" in err
