"""Check a parsed call against the mode and the tool's schema, then run it."""

from __future__ import annotations

import logging
from collections.abc import Generator, Mapping
from typing import Any

from app.core.agent.events import Event, ToolCallFinished, ToolCallStarted
from app.core.agent.modes import Mode, all_tools
from app.core.agent.tool_call_parser import ParsedCall
from app.core.agent.tools.base import Tool, ToolContext, ToolResult
from app.core.errors import Cancelled, EnclaveError, ToolError

logger = logging.getLogger(__name__)
_WRITE_TOOLS = frozenset(t.spec.name for t in all_tools() if t.spec.writes)


def validate(call: ParsedCall, offered: Mapping[str, Tool], *, mode: Mode) -> tuple[Tool, dict[str, Any]]:
    """The tool and cleaned arguments for `call`.

    Raises:
        ToolError: malformed call, unknown tool, a tool this mode does not offer, bad arguments.

    """
    if call.error:
        raise ToolError(f"{call.error}. Your call was: {call.raw[:300]}")
    name = call.name.strip()
    tool = offered.get(name) or offered.get(name.lower())
    if tool is None:
        names = ", ".join(offered)
        if name.lower() in _WRITE_TOOLS and mode is Mode.PLAN:
            raise ToolError(f"{name} is not available in Plan mode (read-only); available tools: {names}")
        raise ToolError(f"there is no tool named {name!r}; available tools: {names}")
    args: dict[str, Any] = {}
    problems: list[str] = []
    params = tool.spec.params
    for key, value in call.arguments.items():
        if key not in params:
            if key == "content" and tool.spec.name == "write":
                args[key] = value  # the write tool's lenient fallback
            continue
        param = params[key]
        coerced = _coerce(value, param.type)
        if coerced is None and value is not None:
            problems.append(f"{key} must be of type {param.type}")
        elif param.enum and coerced not in param.enum:
            problems.append(f"{key} must be one of {', '.join(param.enum)}")
        elif coerced is not None:
            args[key] = coerced
    for key, param in params.items():
        if param.required and key not in args:
            problems.append(f"missing required argument {key!r} ({param.description})")
    if problems:
        raise ToolError(
            f"the {tool.spec.name} tool was called with invalid arguments: {'; '.join(problems)}. "
            "Rewrite the call so it matches the tool's parameters."
        )
    return tool, args


def execute(
    call: ParsedCall, offered: Mapping[str, Tool], *, mode: Mode, ctx: ToolContext, call_id: int, step: int
) -> Generator[Event, None, ToolResult]:
    """Validate and run one call, yielding started/finished and whatever the tool yields."""
    try:
        tool, args = validate(call, offered, mode=mode)
    except ToolError as exc:
        yield ToolCallStarted(call_id, call.name or "?", dict(call.arguments), step)
        result = ToolResult(f"error: {exc}", ok=False)
        yield ToolCallFinished(call_id, call.name or "?", ok=False, output=result.output)
        return result
    yield ToolCallStarted(call_id, tool.spec.name, args, step)
    try:
        result = yield from tool.run(args, ctx)
    except ToolError as exc:
        result = ToolResult(f"error: {exc}", ok=False)
    except Cancelled:
        raise
    except EnclaveError as exc:
        result = ToolResult(f"error: {exc}", ok=False)
    except OSError as exc:
        result = ToolResult(f"error: {exc.strerror or exc}", ok=False)
    logger.info("tool %s call %d: ok=%s, %d chars", tool.spec.name, call_id, result.ok, len(result.output))
    yield ToolCallFinished(call_id, tool.spec.name, result.ok, result.output, result.sandboxed)
    return result


def _coerce(value: Any, kind: str) -> Any:
    if kind == "integer":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        return None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None
