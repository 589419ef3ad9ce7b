"""The run tool: a shell command in the project folder, sandboxed where bubblewrap exists."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from app.core.agent.events import Event
from app.core.agent.sandbox import run_command, sandbox_state
from app.core.agent.toolbox import ToolContext
from app.core.agent.tools.base import Param, ToolError, ToolResult, ToolSpec

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
        allowed = yield from ctx.gate.check("run", command, reason=_reason(command, ctx), cancel=ctx.cancel)
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


def _reason(command: str, ctx: ToolContext) -> str:
    """The permission question, saying whether the command will be confined and, if not, why."""
    if not ctx.sandbox:
        return f"Run `{command}` in the project folder. Not sandboxed: turned off for this session."
    state = sandbox_state()
    if state.problem is None:
        return f"Run `{command}` in the project folder, sandboxed: no network, writes only in the project."
    return f"Run `{command}` in the project folder. Not sandboxed: {state.problem}."
