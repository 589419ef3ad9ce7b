"""Gitignore semantics for the walk: defaults, .git/info/exclude, nested .gitignore, .enclaveignore."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pathspec

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
        layers = [_Layer("", pathspec.GitIgnoreSpec.from_lines([*DEFAULT_IGNORES, *extra_patterns]))]
        exclude = _read_lines(root / ".git" / "info" / "exclude")
        if exclude:
            layers.append(_Layer("", pathspec.GitIgnoreSpec.from_lines(exclude)))
        return cls(tuple(layers)).descend(root, "")

    def descend(self, folder: Path, rel: str) -> IgnoreRules:
        """The rules inside `folder` (project-relative `rel`), adding its own ignore files."""
        added = []
        for name in IGNORE_FILES:
            lines = _read_lines(folder / name)
            if lines:
                try:
                    added.append(_Layer(rel, pathspec.GitIgnoreSpec.from_lines(lines)))
                except Exception as exc:  # a malformed pattern must not stop the walk
                    logger.warning("ignore file skipped: %s (%s)", type(exc).__name__, len(lines))
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


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
