from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.core.errors import EnclaveError
from app.core.privacy.export import export_conversation, to_markdown

CONVERSATION = [
    {"role": "system", "content": "You are Enclave."},
    {"role": "user", "content": "Where is the retry logic?"},
    {
        "role": "assistant",
        "content": "Let me look.",
        "tool_calls": [{"name": "read_file", "arguments": {"path": "net/retry.py"}}],
    },
    {"role": "tool", "content": "def retry():\n    ```not a fence end```\n    pass\n"},
    {"role": "assistant", "content": "It is in `net/retry.py:1`."},
]


def test_markdown_export_reads_as_a_transcript(tmp_path: Path) -> None:
    out = export_conversation(CONVERSATION, tmp_path / "chat.md", title="Retry question")
    text = out.read_text(encoding="utf-8")

    assert text.startswith("# Retry question\n")
    assert text.index("## You\n\nWhere is the retry logic?") < text.index("## Enclave\n\nLet me look.")
    assert '"path": "net/retry.py"' in text
    assert "It is in `net/retry.py:1`." in text
    # The tool output holds a run of three backticks, so its fence must be longer.
    assert "````\ndef retry():" in text
    assert text.endswith("\n")


def test_json_export_keeps_every_message_and_field(tmp_path: Path) -> None:
    out = export_conversation(CONVERSATION, tmp_path / "chat.JSON")
    document = json.loads(out.read_text(encoding="utf-8"))

    assert document["format"] == "enclave-conversation"
    assert document["version"] == 1
    assert document["messages"] == CONVERSATION


def test_explicit_format_wins_over_the_suffix(tmp_path: Path) -> None:
    out = export_conversation(CONVERSATION, tmp_path / "chat.txt", fmt="json")
    assert (
        json.loads(out.read_text(encoding="utf-8"))["messages"][1]["content"] == "Where is the retry logic?"
    )
    assert to_markdown(CONVERSATION).startswith("# Enclave conversation")


def test_export_replaces_an_existing_file_whole_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "chat.md"
    target.write_text("old transcript that is much longer than the new one " * 100, encoding="utf-8")
    os.chmod(target, 0o640)

    export_conversation(CONVERSATION[:2], target)

    text = target.read_text(encoding="utf-8")
    assert "old transcript" not in text
    assert "Where is the retry logic?" in text
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["chat.md"]  # no temp file left behind


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "chat.md"
    target.write_text("previous export", encoding="utf-8")

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(EnclaveError, match="No space left on device"):
        export_conversation(CONVERSATION, target)

    assert target.read_text(encoding="utf-8") == "previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["chat.md"]


def test_bad_destinations_get_one_readable_line(tmp_path: Path) -> None:
    with pytest.raises(EnclaveError, match="does not exist"):
        export_conversation(CONVERSATION, tmp_path / "missing" / "chat.md")
    with pytest.raises(EnclaveError, match="is a folder"):
        export_conversation(CONVERSATION, tmp_path)
    with pytest.raises(EnclaveError, match="unknown export format"):
        export_conversation(CONVERSATION, tmp_path / "chat.md", fmt="pdf")
