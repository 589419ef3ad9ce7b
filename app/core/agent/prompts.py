"""The system prompt: a short shared part plus the mode's part, from resources/prompts/."""

from __future__ import annotations

import functools

from app.core.agent.modes import Mode
from app.core.paths import resources_dir


@functools.lru_cache(maxsize=8)
def _read(name: str) -> str:
    return (resources_dir() / "prompts" / f"{name}.md").read_text(encoding="utf-8").strip()


def system_prompt(mode: Mode) -> str:
    """The system message for a turn in `mode` (the template appends the tool schemas)."""
    return _read("system") + "\n\n" + _read(mode.value)
