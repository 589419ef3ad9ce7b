"""`enclave endpoint` in-process: add, use, list, remove, the policy lock; nothing is sent."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.cli import run_cli


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_cli(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def settings_text() -> str:
    return (Path(os.environ["ENCLAVE_HOME"]) / "config" / "settings.toml").read_text()


def test_add_use_list_and_remove(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _out, err = cli(capsys, "endpoint", "add", "lan", "http://10.0.0.5:8000", "--model", "qwen")
    assert code == 1 and "--unencrypted" in err  # plain http to another machine needs the confirmation
    monkeypatch.setenv("TEAM_KEY", "sk-from-env")
    code, out, err = cli(capsys, "endpoint", "add", "lan", "http://10.0.0.5:8000", "--model", "qwen",
                         "--unencrypted", "--key-env", "TEAM_KEY", "--use", "chat")  # fmt: skip
    assert code == 0 and "http://10.0.0.5:8000/v1" in out and "unencrypted" in err
    assert "sk-from-env" not in settings_text() and 'chat_model = "endpoint:lan"' in settings_text()
    assert cli(capsys, "endpoint", "use", "lan", "--role", "agent")[0] == 0
    code, out, _err = cli(capsys, "endpoint", "list", "--json")
    listed = json.loads(out)
    assert (
        listed["roles"] == {"agent": "lan", "chat": "lan", "completion": None}
        and listed["endpoints"][0]["unencrypted"] is True
    )
    assert cli(capsys, "endpoint", "use", "--local")[0] == 0
    assert json.loads(cli(capsys, "endpoint", "list", "--json")[1])["roles"] == {
        "agent": None,
        "chat": None,
        "completion": None,
    }
    assert cli(capsys, "endpoint", "remove", "lan")[0] == 0
    code, _out, err = cli(capsys, "endpoint", "remove", "lan")
    assert code == 1 and "no endpoint named 'lan'" in err


def test_a_policy_file_refuses_adding_and_testing(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    assert cli(capsys, "endpoint", "add", "box", "http://127.0.0.1:9", "--model", "m")[0] == 0
    (tmp_path / "enclave-policy.toml").write_text("")
    monkeypatch.setenv("ENCLAVE_SYSTEM_CONFIG", str(tmp_path))
    code, _out, err = cli(capsys, "endpoint", "add", "other", "http://127.0.0.1:9", "--model", "m")
    assert code == 1 and "policy" in err
    code, _out, err = cli(capsys, "endpoint", "test", "box")
    assert code == 1 and "policy" in err
    code, out, _err = cli(capsys, "endpoint", "list")
    assert "turned off by your organisation's policy" in out


def test_a_hand_edited_entry_that_no_longer_reads_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "endpoint", "add", "box", "http://127.0.0.1:9", "--model", "m")[0] == 0
    path = Path(os.environ["ENCLAVE_HOME"]) / "config" / "settings.toml"
    path.write_text(path.read_text().replace("http://127.0.0.1:9/v1", "http://10.1.1.1:9/v1"))
    code, _out, err = cli(capsys, "endpoint", "test", "box")
    assert code == 1 and "unencrypted" in err


def test_a_ca_bundle_is_checked_and_kept_for_every_endpoint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    code, _out, err = cli(capsys, "endpoint", "add", "box", "https://gpu.example.com", "--model", "m",
                          "--ca-bundle", str(bad))  # fmt: skip
    assert code == 1 and "CA bundle cannot be read" in err
    certifi = pytest.importorskip("certifi")

    code, _out, _err = cli(capsys, "endpoint", "add", "box", "https://gpu.example.com", "--model", "m",
                           "--ca-bundle", certifi.where())  # fmt: skip
    assert code == 0 and f'ca_bundle = "{Path(certifi.where()).resolve()}"' in settings_text()
