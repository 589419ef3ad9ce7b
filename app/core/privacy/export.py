"""Explicit export: a conversation written to Markdown or JSON at a path the user picked.

This is the only way a conversation reaches the disk. The write is atomic (a temp file in
the same folder, then a rename), so a crash or a full disk never leaves half a file.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.core.atomic_file import write_atomic
from app.core.errors import EnclaveError

logger = logging.getLogger(__name__)

FORMATS = ("markdown", "json")
JSON_FORMAT_ID = "enclave-conversation"
JSON_FORMAT_VERSION = 1

_ROLE_TITLES = {"system": "System", "user": "You", "assistant": "Enclave", "tool": "Tool result"}
_SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown", ".json": "json"}


def format_for_path(path: Path) -> str:
    """The export format a file name asks for (`.json` is JSON; anything else Markdown)."""
    return _SUFFIX_FORMATS.get(path.suffix.lower(), "markdown")


def export_conversation(
    messages: Sequence[Mapping[str, Any]],
    path: Path,
    *,
    fmt: str | None = None,
    title: str = "",
) -> Path:
    """Write `messages` to `path` as Markdown or JSON (from the suffix unless `fmt` is given).

    Raises:
        EnclaveError: the format is unknown, or the file cannot be written.

    """
    chosen = fmt or format_for_path(path)
    if chosen not in FORMATS:
        raise EnclaveError(f"unknown export format {chosen!r}: use markdown or json")
    text = to_json(messages, title=title) if chosen == "json" else to_markdown(messages, title=title)
    _write_atomically(path, text)
    logger.info("exported %d messages (%d bytes) as %s", len(messages), len(text.encode()), chosen)
    return path


def to_markdown(messages: Sequence[Mapping[str, Any]], *, title: str = "") -> str:
    """A readable Markdown transcript: one heading per message, tool output fenced."""
    lines = [f"# {title or 'Enclave conversation'}", "", f"_Exported {_now()} by Enclave {__version__}._", ""]
    for message in messages:
        role = str(message.get("role", ""))
        content = str(message.get("content", ""))
        lines += [f"## {_ROLE_TITLES.get(role, role.title() or 'Message')}", ""]
        if role == "tool":
            lines += [_fence(content, info=""), ""]
        elif content:
            lines += [content.rstrip("\n"), ""]
        for call in message.get("tool_calls") or []:
            body = json.dumps(
                {"name": call.get("name"), "arguments": call.get("arguments", {})},
                ensure_ascii=False,
                indent=2,
            )
            lines += [_fence(body, info="json"), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(messages: Sequence[Mapping[str, Any]], *, title: str = "") -> str:
    """A JSON document that keeps every field of every message."""
    document = {
        "format": JSON_FORMAT_ID,
        "version": JSON_FORMAT_VERSION,
        "title": title,
        "exported_at": _now(),
        "enclave": __version__,
        "messages": [dict(m) for m in messages],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _fence(text: str, *, info: str) -> str:
    # A fence longer than any backtick run inside, so file contents cannot close it early.
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_atomically(path: Path, text: str) -> None:
    target = path.expanduser()
    if target.is_dir():
        raise EnclaveError(f"{target} is a folder: choose a file name to export to")
    if not target.parent.is_dir():
        raise EnclaveError(f"cannot export to {target}: the folder {target.parent} does not exist")
    try:
        write_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise EnclaveError(f"could not export to {target}: {exc.strerror or exc}") from exc
