"""Skills: reusable prompt templates invoked as `/name` (shipped ones and a project's own).

A skill is a Markdown file `<name>.md` in `resources/skills/` or in the project's
`.enclave/skills/` (a project's skill wins over a shipped one of the same name). An optional
front matter holds `description:` and `mode:` (plan | build); `$ARGUMENTS` in the body is
replaced by the text after `/name`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.core.paths import resources_dir

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_SKILL_BYTES = 16_000


@dataclass(frozen=True)
class Skill:
    """One prompt template."""

    name: str
    description: str
    body: str
    mode: str = ""  # the mode the skill suggests; empty: keep the user's
    source: str = "shipped"  # shipped | project

    def render(self, arguments: str) -> str:
        """The prompt for `/name arguments`."""
        args = arguments.strip() or "the code the user is looking at"
        if "$ARGUMENTS" in self.body:
            return self.body.replace("$ARGUMENTS", args).strip()
        return (self.body.strip() + ("\n\n" + arguments.strip() if arguments.strip() else "")).strip()


def load_skills(project: Path | None = None, *, shipped: Path | None = None) -> dict[str, Skill]:
    """Shipped skills, then the project's `.enclave/skills/` on top."""
    skills: dict[str, Skill] = {}
    folders = [(shipped or resources_dir() / "skills", "shipped")]
    if project is not None:
        folders.append((project / ".enclave" / "skills", "project"))
    for folder, source in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            skill = _read_skill(path, source=source)
            if skill is not None:
                skills[skill.name] = skill
    return skills


def expand_skill(text: str, skills: dict[str, Skill]) -> tuple[str, Skill | None]:
    """Turn `/name args` into the skill's prompt; other text comes back unchanged."""
    stripped = text.lstrip()
    if not stripped.startswith("/"):
        return text, None
    head, _, rest = stripped[1:].partition(" ")
    skill = skills.get(head.strip().lower())
    if skill is None:
        return text, None
    return skill.render(rest), skill


def _read_skill(path: Path, *, source: str) -> Skill | None:
    name = path.stem.lower()
    if not _NAME.match(name):
        return None
    try:
        raw = path.read_text(encoding="utf-8")[:MAX_SKILL_BYTES]
    except (OSError, UnicodeDecodeError):
        return None
    meta: dict[str, str] = {}
    body = raw
    if raw.startswith("---\n"):
        head, sep, rest = raw[4:].partition("\n---")
        if sep:
            for line in head.splitlines():
                key, colon, value = line.partition(":")
                if colon:
                    meta[key.strip().lower()] = value.strip()
            body = rest.lstrip("-").lstrip("\n")
    mode = meta.get("mode", "")
    return Skill(
        name=name,
        description=meta.get("description", ""),
        body=body.strip() + "\n",
        mode=mode if mode in ("plan", "build") else "",
        source=source,
    )
