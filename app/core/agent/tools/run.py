"""The run tool: a shell command in the project folder, sandboxed where bubblewrap exists."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from app.core.agent.events import Event
from app.core.agent.sandbox import run_command, sandbox_state
from app.core.agent.tools.base import Param, ToolContext, ToolResult, ToolSpec
from app.core.errors import ToolError

Run = Generator[Event, None, ToolResult]


class RunTool:
    """Run a command such as the project's tests."""

    spec = ToolSpec(
        "run",
        "Run a shell command in the project folder (no input, time-limited), e.g. the tests. "
        "You see the exit code and the end of the output.",
        {
            "command": Param("string", "the command line", required=True),
            "timeout": Param("integer", "seconds before it is stopped (default 120)"),
        },
        permission="run",
        writes=True,
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """Ask (unless allowed), run, report exit code and the output tail."""
        command = str(args["command"]).strip()
        if not command:
            raise ToolError("the command is empty")
        # An unconfined command can do whatever the user can, so no rule and no --yes stands
        # in for the user's answer: it is asked every time, like reading a secret file.
        check = ctx.gate.check if _confined(ctx) else ctx.gate.check_secret
        allowed = yield from check("run", command, reason=_reason(command, ctx), cancel=ctx.cancel)
        if not allowed:
            raise ToolError(f"the user did not allow running `{command}`")
        try:
            timeout = float(args.get("timeout") or ctx.limits.run_timeout_s)
        except (TypeError, ValueError):
            timeout = ctx.limits.run_timeout_s
        timeout = max(1.0, min(timeout, 600.0))
        outcome = run_command(
            command,
            root=ctx.root.path,
            timeout_s=timeout,
            tail_chars=ctx.limits.run_tail_chars,
            cancel=ctx.cancel,
            sandbox=ctx.sandbox,
            env_allow=ctx.run_env,
        )
        if outcome.timed_out:
            status = f"stopped after {timeout:.0f} s (timeout); pass a larger timeout if it needs longer"
        elif outcome.cancelled:
            status = "stopped by the user"
        else:
            status = f"exit code {outcome.exit_code}"
        cut = (
            f"(last {len(outcome.output)} of {outcome.total_chars} characters)\n"
            if outcome.total_chars > len(outcome.output)
            else ""
        )
        body = outcome.output.rstrip() or "(no output)"
        where = "sandboxed: no network, writes only in the project" if outcome.sandboxed else "not sandboxed"
        return ToolResult(
            f"$ {command}\n{status}; {where}\n{cut}{body}",
            ok=outcome.exit_code == 0,
            sandboxed=outcome.sandboxed,
        )


# What a sandboxed command can see and do, as the permission question says it.
SANDBOXED = (
    "sandboxed: it sees the system folders read-only and this project (.git read-only, secret files "
    "hidden); no network, no home folder, no other projects; writes only in the project"
)


def _confined(ctx: ToolContext) -> bool:
    return ctx.sandbox and sandbox_state().problem is None


def _reason(command: str, ctx: ToolContext) -> str:
    """The permission question, saying what the command will see and, if unconfined, why."""
    if _confined(ctx):
        return f"Run `{command}` in the project folder, {SANDBOXED}."
    problem = "turned off for this session" if not ctx.sandbox else sandbox_state().problem
    return (
        f"Run `{command}` in the project folder, unconfined: it can read and change everything your "
        f"account can, so this is asked every time. Not sandboxed: {problem}."
    )
