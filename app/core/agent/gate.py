"""`Gate`: the one permission flow: rules first, then a question the front end answers."""

from __future__ import annotations

import itertools
from collections.abc import Generator

from app.core.agent.events import Decision, EditProposed, Event, PermissionRequest, Reply
from app.core.agent.permissions import Permissions, always_pattern, wildcard
from app.core.cancel import CancelToken
from app.core.errors import ToolError

Steps = Generator[Event, None, bool]


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
