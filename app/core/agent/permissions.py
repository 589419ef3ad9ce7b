"""allow / ask / deny per tool, and per command prefix for `run`; the last matching rule wins.

A rule is (permission, pattern, action). The permission is the tool's key (`read`, `edit`,
`run`; `doom_loop` for the repeated-call guard). The pattern matches the subject: a
project-relative path for read and edit, the command line for run. `*` matches anything,
`?` one character, and a trailing ` *` also matches nothing ("pytest *" allows bare `pytest`).
"always" answers append a rule for this project while the app runs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Action = Literal["allow", "ask", "deny"]
ACTIONS: tuple[Action, ...] = ("allow", "ask", "deny")


@dataclass(frozen=True)
class Rule:
    """One permission rule."""

    permission: str
    pattern: str
    action: Action


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("*", "*", "ask"),
    Rule("read", "*", "allow"),
    Rule("edit", "*", "ask"),
    Rule("run", "*", "ask"),
    Rule("doom_loop", "*", "ask"),
)

# How many words of a command make its "always" prefix (`git status *`, `npm run test *`).
_ARITY = {
    "git": 2,
    "npm": 2,
    "pnpm": 2,
    "yarn": 2,
    "cargo": 2,
    "go": 2,
    "docker": 2,
    "make": 2,
    "uv": 2,
    "poetry": 2,
    "pip": 2,
    "dotnet": 2,
    "kubectl": 2,
    "npx": 2,
}
_ARITY3 = {
    ("npm", "run"),
    ("pnpm", "run"),
    ("yarn", "run"),
    ("python", "-m"),
    ("python3", "-m"),
    ("uv", "run"),
}


class Permissions:
    """The rule list for one project: defaults, then the user's rules, then "always" answers."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: list[Rule] = [*DEFAULT_RULES, *rules]

    @classmethod
    def from_config(cls, config: Mapping[str, str | Mapping[str, str]]) -> Permissions:
        """Rules from a settings-style mapping: `{"run": {"pytest *": "allow"}, "edit": "allow"}`.

        Raises:
            ValueError: an action is not allow, ask or deny.

        """
        rules: list[Rule] = []
        for permission, value in config.items():
            items = {"*": value} if isinstance(value, str) else dict(value)
            for pattern, action in items.items():
                if action not in ACTIONS:
                    raise ValueError(f"{permission} {pattern!r}: action must be allow, ask or deny")
                rules.append(Rule(permission, pattern, action))
        return cls(rules)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """All rules in evaluation order."""
        return tuple(self._rules)

    def add(self, rule: Rule) -> None:
        """Append a rule; it wins over every earlier one it overlaps."""
        self._rules.append(rule)

    def evaluate(self, permission: str, subject: str) -> Action:
        """The action of the last rule that matches `permission` and `subject`."""
        action: Action = "ask"
        for rule in self._rules:
            if wildcard(rule.permission, permission) and wildcard(rule.pattern, subject):
                action = rule.action
        return action

    def evaluate_command(self, command: str) -> Action:
        """The action for a shell command: every simple command in it must be allowed.

        `a && b`, pipes and `;` are split and the strictest answer wins, so `pytest *` does
        not let `pytest && rm -rf x` through. Command substitution is never auto-allowed.
        """
        parts = split_command(command)
        actions = [self.evaluate("run", part) for part in parts] or [self.evaluate("run", command)]
        if "deny" in actions:
            return "deny"
        if "ask" in actions or "$(" in command or "`" in command:
            return "ask"
        return "allow"

    def remember_always(self, permission: str, pattern: str) -> None:
        """Record an "always" answer for this project, for as long as the app runs."""
        self.add(Rule(permission, pattern, "allow"))

    def deny_everywhere(self, permission: str) -> bool:
        """Whether `permission` is denied for every subject (such tools are not offered)."""
        for rule in reversed(self._rules):
            if wildcard(rule.permission, permission):
                if rule.pattern == "*":
                    return rule.action == "deny"
                if rule.action != "deny":
                    return False
        return False


def always_pattern(permission: str, subject: str) -> str:
    """What an "always" answer allows: a command prefix for run, the exact path otherwise."""
    if permission != "run":
        return subject
    try:
        words = shlex.split(subject)
    except ValueError:
        words = subject.split()
    if not words:
        return subject
    n = 1
    if len(words) >= 2 and (words[0], words[1]) in _ARITY3:
        n = 3
    elif words[0] in _ARITY:
        n = 2
    return " ".join(words[:n]) + " *"


def split_command(command: str) -> list[str]:
    """The simple commands of a shell line, split at `&&`, `||`, `;`, `|`, `&` and newlines."""
    parts, buf, quote, i = [], [], "", 0
    while i < len(command):
        c = command[i]
        if quote:
            buf.append(c)
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"' and i + 1 < len(command):
                buf.append(command[i + 1])
                i += 1
        elif c in "\"'":
            quote = c
            buf.append(c)
        elif c in ";|&\n":
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(c)
        i += 1
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


def wildcard(pattern: str, text: str) -> bool:
    """opencode-style wildcard: `*` any run of characters, `?` one; trailing ` *` optional."""
    return _compile(pattern).fullmatch(text) is not None


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    optional_tail = pattern.endswith(" *")
    core = pattern[:-2] if optional_tail else pattern
    out = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in core)
    if optional_tail:
        out += "( .*)?"
    return re.compile(out, re.DOTALL)
