"""`EditSession`: proposed edits shown as diffs, accepted ones written atomically, the undo stack."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

from app.core.agent.edits.files import UndoEntry, UndoStack, atomic_write, unified_diff
from app.core.agent.edits.hunks import apply_hunks, split_hunks
from app.core.agent.events import Diagnostics, EditProposed, EditResolved, Event, Reply
from app.core.agent.gate import Gate
from app.core.agent.index_port import ProjectIndexPort
from app.core.cancel import CancelToken
from app.core.errors import ToolError
from app.core.text_file import TextFormat

logger = logging.getLogger(__name__)


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
