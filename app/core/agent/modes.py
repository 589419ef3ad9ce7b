"""Plan and Build: which tools a turn offers. Enforced here and again when a call arrives."""

from __future__ import annotations

from enum import StrEnum

from app.core.agent.permissions import Permissions
from app.core.agent.tools.base import Tool
from app.core.agent.tools.code import ContextTool, MapTool, SymbolsTool
from app.core.agent.tools.edit import EditTool, WriteTool
from app.core.agent.tools.files import GlobTool, GrepTool, ListTool, ReadTool
from app.core.agent.tools.run import RunTool


class Mode(StrEnum):
    """Plan reads and answers; Build may also edit files and run commands."""

    PLAN = "plan"
    BUILD = "build"


def all_tools() -> list[Tool]:
    """Every tool, read-only ones first (their schemas lead the prompt in both modes)."""
    return [
        ReadTool(),
        ListTool(),
        GlobTool(),
        GrepTool(),
        SymbolsTool(),
        MapTool(),
        ContextTool(),
        EditTool(),
        WriteTool(),
        RunTool(),
    ]


def tools_for(mode: Mode, *, permissions: Permissions) -> list[Tool]:
    """The tools offered in `mode`: Plan never includes a tool that writes or runs.

    Tools whose permission is denied for everything are left out to save prompt tokens.
    """
    out = []
    for tool in all_tools():
        if tool.spec.writes and mode is not Mode.BUILD:
            continue
        if permissions.deny_everywhere(tool.spec.permission):
            continue
        out.append(tool)
    return out
