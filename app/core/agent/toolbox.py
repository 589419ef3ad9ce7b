"""What a running tool gets: the project root, the index, the permission gate, the edit session."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

from app.core.agent.confine import ProjectRoot
from app.core.agent.edits.files import UndoEntry, UndoStack, atomic_write, unified_diff
from app.core.agent.edits.hunks import apply_hunks, split_hunks
from app.core.agent.events import (
    Decision,
    Diagnostics,
    EditProposed,
    EditResolved,
    Event,
    PermissionRequest,
    Reply,
)
from app.core.agent.index_port import ProjectIndexPort
from app.core.agent.permissions import Permissions, always_pattern, wildcard
from app.core.agent.tools.base import ToolError
from app.core.events import CancelToken
from app.core.text_file import TextFormat

logger = logging.getLogger(__name__)

Steps = Generator[Event, None, bool]


@dataclass(frozen=True)
class Limits:
    """How much a tool may hand back to the model."""

    read_lines: int = 250
    read_bytes: int = 16_000
    line_chars: int = 400
    list_entries: int = 200
    matches: int = 60
    run_timeout_s: float = 120.0
    run_tail_chars: int = 6_000


class Gate:
    """Asks for permission when the rules say "ask"; remembers "always" for this project."""

    def __init__(
        self, permissions: Permissions, *, ids: itertools.count[int], auto_accept: bool = False
    ) -> None:
        self.permissions = permissions
        self.auto_accept = auto_accept
        self._ids = ids

    def check(self, permission: str, subject: str, *, reason: str, cancel: CancelToken) -> Steps:
        """Yield a `PermissionRequest` if needed; return whether the action may go ahead."""
        action = self._action(permission, subject)
        if action == "deny":
            return False
        if action == "allow" or self.auto_accept:
            return True
        return (yield from self._ask(permission, subject, reason=reason, cancel=cancel, remember=permission))

    def check_secret(self, permission: str, subject: str, *, reason: str, cancel: CancelToken) -> Steps:
        """For a file on the security list, or a command that runs unconfined: ask every time.

        Allow rules and --yes do not answer. Only a deny rule for `permission`, or the user's
        own "always" for this very file (a `read_secret` rule: a blanket `*` rule does not
        count), answers without asking. A command has no such "always": each unconfined run
        could do anything the user can, so each one is its own question.
        """
        if self._action(permission, subject) == "deny":
            return False
        if permission != "run" and any(
            r.permission == "read_secret" and r.action == "allow" and wildcard(r.pattern, subject)
            for r in self.permissions.rules
        ):
            return True
        remember = "read_secret" if permission != "run" else ""
        return (yield from self._ask(permission, subject, reason=reason, cancel=cancel, remember=remember))

    def _action(self, permission: str, subject: str) -> str:
        if permission == "run":
            return self.permissions.evaluate_command(subject)
        return self.permissions.evaluate(permission, subject)

    def decide(self, permission: str, subject: str) -> str:
        """Allow | ask | deny for `subject`, with auto-accept turning an ask into allow."""
        action = self._action(permission, subject)
        return "allow" if action == "ask" and self.auto_accept else action

    def ask(
        self,
        event: PermissionRequest | EditProposed,
        *,
        permission: str,
        subject: str,
        remember: str,
        cancel: CancelToken,
    ) -> Generator[Event, None, Decision]:
        """The one question flow (runs, reads of secrets, edits, the repeated-call guard).

        Yields `event`, waits for its answer, and turns an "always" into a rule for
        `remember` covering what `always_pattern` gives: this file for an edit or a read,
        the command's prefix for a run.
        """
        assert event.reply is not None
        yield event
        decision = event.reply.wait(cancel)
        if decision == "always" and remember:
            self.permissions.remember_always(remember, always_pattern(permission, subject))
        return decision

    def _ask(
        self, permission: str, subject: str, *, reason: str, cancel: CancelToken, remember: str
    ) -> Steps:
        pattern = always_pattern(permission, subject)
        request = PermissionRequest(next(self._ids), permission, subject, reason, pattern, Reply())
        decision = yield from self.ask(
            request, permission=permission, subject=subject, remember=remember, cancel=cancel
        )
        if decision == "reject" and request.reply.message:
            raise ToolError(f"the user refused: {request.reply.message}")
        return decision != "reject"


@dataclass
class EditSession:
    """Proposes edits as diffs, applies accepted ones atomically, keeps the undo stack."""

    gate: Gate
    index: ProjectIndexPort
    ids: itertools.count[int]
    undo: UndoStack = field(default_factory=UndoStack)
    applied: list[str] = field(default_factory=list)  # relpaths edited this turn

    def propose(
        self,
        path: Path,
        relpath: str,
        *,
        kind: str,
        old: bytes | None,
        new_text: str,
        encoding: TextFormat,
        cancel: CancelToken,
    ) -> Generator[Event, None, str]:
        """Show the diff, wait for acceptance, write; returns what to tell the model."""
        old_text = editable_text(encoding, old) if old is not None else ""
        if old is not None and new_text == old_text:
            raise ToolError(f"{relpath}: the edit changes nothing")
        diff = unified_diff(old_text, new_text, path=relpath)
        edit_id = next(self.ids)
        action = self.gate.decide("edit", relpath)
        if action == "deny":
            raise ToolError(f"{relpath}: editing this file is denied by a permission rule")
        proposal = EditProposed(edit_id, relpath, kind, diff, Reply() if action == "ask" else None)
        partial = ""
        if proposal.reply is None:
            yield proposal
        else:
            # "Always" covers this file only.
            decision = yield from self.gate.ask(
                proposal, permission="edit", subject=relpath, remember="edit", cancel=cancel
            )
            chosen = proposal.reply.hunks
            if decision != "reject" and chosen is not None and not chosen:
                decision = "reject"  # every hunk was turned down
            if decision == "reject":
                yield EditResolved(
                    edit_id, relpath, applied=False, reason=proposal.reply.message or "rejected"
                )
                note = f": {proposal.reply.message}" if proposal.reply.message else ""
                return f"the user rejected the edit to {relpath}{note}"
            if chosen is not None:
                new_text, partial = _only_hunks(diff, old_text, new_text, chosen, relpath=relpath)
        atomic_write(path, encoding.encode(new_text))
        self.undo.push(UndoEntry(path, relpath, old))
        self.applied.append(relpath)
        self.index.file_changed(relpath)
        yield EditResolved(edit_id, relpath, applied=True, reason=partial.split(";")[0])
        logger.info("edit %d applied (%s, %d bytes)", edit_id, kind, len(new_text))
        issues = self.index.syntax_issues(relpath, new_text)
        yield Diagnostics(relpath, tuple(issues))
        lines = new_text.count("\n") + (0 if new_text.endswith("\n") else 1)
        report = f"applied the edit to {relpath} ({kind}, now {lines} lines)."
        if partial:
            report = f"applied part of the edit to {relpath} ({kind}, now {lines} lines): {partial}."
        if issues:
            shown = "\n".join(f"  line {i.line}, column {i.column}: {i.message}" for i in issues[:10])
            report += f"\nSyntax errors in {relpath} after the edit; fix them:\n{shown}"
        else:
            report += " No syntax errors."
        return report


def _only_hunks(
    diff: str, old_text: str, new_text: str, chosen: tuple[int, ...], *, relpath: str
) -> tuple[str, str]:
    """The text with only the `chosen` hunks applied, and what to tell the model about the rest.

    The note is empty when every hunk was chosen (the edit is applied whole).
    """
    _header, hunks = split_hunks(diff)
    try:
        text = apply_hunks(old_text, new_text, chosen)
    except ValueError as exc:
        raise ToolError(f"{relpath}: {exc}") from None
    rejected = [i for i in range(len(hunks)) if i not in chosen]
    if not rejected:
        return new_text, ""
    headers = ", ".join(f"{i + 1} ({hunks[i].splitlines()[0]})" for i in rejected)
    which = f"hunk {headers} was" if len(rejected) == 1 else f"hunks {headers} were"
    note = (
        f"the user accepted {len(hunks) - len(rejected)} of {len(hunks)} hunks; "
        f"{which} rejected and not applied, so those lines are unchanged"
    )
    return text, note


def editable_text(fmt: TextFormat, data: bytes) -> str:
    """The text of a file about to be edited: LF endings, no BOM.

    Raises:
        ToolError: the bytes are not UTF-8 (an edit would garble them).

    """
    try:
        return fmt.decode(data)
    except UnicodeDecodeError:
        raise ToolError("the file is not UTF-8 text; it cannot be edited here") from None


@dataclass(frozen=True)
class ToolContext:
    """Everything one tool call may use."""

    root: ProjectRoot
    index: ProjectIndexPort
    gate: Gate
    edits: EditSession
    cancel: CancelToken
    limits: Limits = field(default_factory=Limits)
    reply_text: str = ""  # the model's reply this step: edit blocks live here
    attached: str = ""  # text after the JSON inside <tool_call>
    sandbox: bool = True  # use bubblewrap for `run` when available
    run_env: tuple[str, ...] = ()  # environment variables `run` passes on besides the basics
