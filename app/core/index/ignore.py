"""Gitignore semantics for the walk: defaults, .git/info/exclude, nested .gitignore, .enclaveignore."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

from app.core.names import quote_name

logger = logging.getLogger(__name__)

# VCS folders, dependency trees, virtualenvs, caches and build output. A project's
# .gitignore or .enclaveignore can re-include any of these with a `!pattern` line.
DEFAULT_IGNORES = (
    ".git/",
    ".hg/",
    ".svn/",
    ".bzr/",
    "_darcs/",
    "CVS/",
    "node_modules/",
    "bower_components/",
    "jspm_packages/",
    ".venv/",
    "venv/",
    ".virtualenv/",
    "virtualenv/",
    "__pypackages__/",
    "site-packages/",
    "__pycache__/",
    "*.py[cod]",
    ".mypy_cache/",
    ".pytest_cache/",
    ".ruff_cache/",
    ".tox/",
    ".nox/",
    ".hypothesis/",
    ".ipynb_checkpoints/",
    "*.egg-info/",
    ".eggs/",
    "build/",
    "dist/",
    "target/",
    "out/",
    ".next/",
    ".nuxt/",
    ".svelte-kit/",
    ".turbo/",
    ".parcel-cache/",
    ".gradle/",
    ".cache/",
    "coverage/",
    "htmlcov/",
    ".idea/",
    ".vs/",
    ".DS_Store",
    "Thumbs.db",
    ".aider*",
    "*.gguf",
)

IGNORE_FILES = (".gitignore", ".enclaveignore")

_DEFAULT_PATTERNS = tuple(pathspec.GitIgnoreSpec.from_lines(DEFAULT_IGNORES).patterns)
_SETTINGS = "settings (extra ignore patterns)"  # where `extra_patterns` come from


@dataclass(frozen=True)
class _Layer:
    base: str  # project-relative folder the patterns are relative to ("" for the root)
    spec: pathspec.GitIgnoreSpec


class IgnoreRules:
    """A stack of gitignore layers; the deepest layer that has an opinion decides.

    Within a folder, `.enclaveignore` outranks `.gitignore`; at the root both outrank
    `.git/info/exclude`, which outranks the defaults (git's own precedence, extended).
    """

    def __init__(self, layers: tuple[_Layer, ...] = ()) -> None:
        self._layers = layers

    @classmethod
    def for_root(cls, root: Path, *, extra_patterns: tuple[str, ...] = ()) -> IgnoreRules:
        """The rules that hold at the project root."""
        # The settings' patterns share the defaults' layer: they may re-include a default.
        patterns = [*_DEFAULT_PATTERNS, *_patterns(list(extra_patterns), source="", label=_SETTINGS)]
        layers = [_Layer("", pathspec.GitIgnoreSpec(patterns))]
        exclude_file = root / ".git" / "info" / "exclude"
        exclude = _read_lines(exclude_file)
        if exclude:
            layers.append(_Layer("", _compile(exclude, source=str(exclude_file), label=".git/info/exclude")))
        return cls(tuple(layers)).descend(root, "")

    def descend(self, folder: Path, rel: str) -> IgnoreRules:
        """The rules inside `folder` (project-relative `rel`), adding its own ignore files."""
        added = []
        for name in IGNORE_FILES:
            lines = _read_lines(folder / name)
            if lines:
                added.append(_Layer(rel, _compile(lines, source=str(folder / name), label=_label(rel, name))))
        if not added:
            return self
        return IgnoreRules(self._layers + tuple(added))

    def ignored(self, rel: str, *, is_dir: bool) -> bool:
        """Whether the project-relative path `rel` is ignored."""
        for layer in reversed(self._layers):
            sub = rel[len(layer.base) + 1 :] if layer.base else rel
            result = layer.spec.check_file(sub + "/" if is_dir else sub)
            if result.include is not None:
                return bool(result.include)
        return False


def _compile(lines: list[str], *, source: str, label: str) -> pathspec.GitIgnoreSpec:
    """The spec of one ignore file's `lines`, without the lines that are not valid patterns."""
    return pathspec.GitIgnoreSpec(_patterns(lines, source=source, label=label))


def _patterns(lines: list[str], *, source: str, label: str) -> list[Any]:
    """Each line's pattern; a bad line is skipped with a warning naming `label:line`.

    Dropping the whole file for one bad line (what `from_lines` does when it raises) would
    let everything else the file ignores, such as `private/`, reach the index and the
    model. Git treats such a line as matching nothing, so skipping only it is git's view.
    """
    # Any: the pattern class GitIgnoreSpec wants differs between pathspec 0.12 and 1.x.
    patterns: list[Any] = []
    for number, line in enumerate(lines, start=1):
        try:
            patterns.extend(pathspec.GitIgnoreSpec.from_lines([line]).patterns)
        except Exception:  # pathspec raises its own ValueError or re.error, depending on the line
            _warn_once(source or label, number, line, label=label)
    return patterns


def _label(rel: str, name: str) -> str:
    """How a project's ignore file is named in a warning: project-relative."""
    return f"{rel}/{name}" if rel else name


# Each (file, line number, line) is reported once per process: `is_indexable` re-reads
# the ignore files on every watched change, and one bad line must not flood the log.
_warned: set[tuple[str, int, str]] = set()
_WARNED_MAX = 1000


def _warn_once(source: str, number: int, line: str, *, label: str) -> None:
    key = (source, number, line)
    if key in _warned:
        return
    if len(_warned) >= _WARNED_MAX:
        _warned.clear()
    _warned.add(key)
    # File and line number only: the line itself is the project's content. The name is
    # quoted when odd: a folder name must not write control characters to a terminal.
    logger.warning(
        "ignore rule skipped: %s:%d is not a valid pattern; the file's other rules apply",
        quote_name(label),
        number,
    )


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
