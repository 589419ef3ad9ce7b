"""`BasicIndex`: a small stand-in for the project index (no tree-sitter).

Walks the project honouring the root `.gitignore` and default ignores, finds Python
definitions with `ast`, checks Python syntax with `compile`. The agent uses it when no real
index is passed in; the real one knows 25+ languages and ranks files properly.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.agent.events import SyntaxIssue
from app.core.agent.index_port import ContextHit, SymbolInfo
from app.core.privacy.secrets import is_secret_path

IGNORED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache",
     ".ruff_cache", ".tox", "dist", "build", "target", ".idea", ".vscode", ".enclave"}
)  # fmt: skip
MAX_FILES = 20_000


class BasicIndex:
    """Project files and Python symbols, computed on demand."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))

    def files(self) -> list[str]:
        """Project-relative paths, skipping ignored folders, gitignored files and secrets."""
        spec = self._gitignore()
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in IGNORED_DIRS and not (spec and spec.match_file(rel_dir + d + "/"))
            )
            for name in sorted(filenames):
                rel = rel_dir + name
                if spec and spec.match_file(rel):
                    continue
                if is_secret_path(rel) or os.path.islink(os.path.join(dirpath, name)):
                    continue
                out.append(rel)
                if len(out) >= MAX_FILES:
                    return out
        return out

    def symbols(self, path: str, *, text: str | None = None) -> list[SymbolInfo]:
        """Python definitions (classes, functions, methods) with qualified names."""
        if not path.endswith((".py", ".pyi")):
            return []
        if text is None:
            try:
                text = (self.root / path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return []
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return []
        lines = text.splitlines()
        out: list[SymbolInfo] = []

        def visit(node: ast.AST, prefix: str, in_class: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    kind = (
                        "class" if isinstance(child, ast.ClassDef) else ("method" if in_class else "function")
                    )
                    name = prefix + child.name
                    sig = lines[child.lineno - 1].strip() if child.lineno <= len(lines) else ""
                    out.append(SymbolInfo(name, kind, start, child.end_lineno or child.lineno, sig))
                    visit(child, name + ".", isinstance(child, ast.ClassDef))

        visit(tree, "", False)
        return out

    def repo_map(self, *, tokens: int, mentions: Sequence[str] = (), files: Sequence[str] = ()) -> str:
        """File list with Python signatures, cut to about `tokens` (4 characters a token)."""
        budget = tokens * 4
        parts: list[str] = []
        used = 0
        wanted = set(files)
        ordered = sorted(self.files(), key=lambda f: (f not in wanted, f.count("/"), f))
        for rel in ordered:
            sigs = [
                f"  {s.signature}" for s in self.symbols(rel) if s.kind != "method" or len(s.signature) < 80
            ]
            block = "\n".join([rel + ":", *sigs[:12]]) if sigs else rel
            if used + len(block) + 1 > budget:
                break
            parts.append(block)
            used += len(block) + 1
        return "\n".join(parts)

    def context(self, question: str, *, top: int = 5) -> list[ContextHit]:
        """Files whose path or Python symbols share words with the question."""
        words = {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]{2,}", question)}
        hits: list[ContextHit] = []
        for rel in self.files():
            names = [s.name for s in self.symbols(rel)]
            path_words = set(re.findall(r"[a-z0-9]+", rel.lower()))
            matched = tuple(n for n in names if n.split(".")[-1].lower() in words)
            score = len(words & path_words) + 2 * len(matched)
            if score:
                hits.append(ContextHit(rel, float(score), matched))
        hits.sort(key=lambda h: (-h.score, h.file))
        return hits[:top]

    def syntax_issues(self, path: str, text: str) -> list[SyntaxIssue]:
        """Python syntax errors via `compile` (other languages: none known here)."""
        if not path.endswith(".py"):
            return []
        try:
            compile(text, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return [SyntaxIssue(exc.lineno or 1, exc.offset or 1, exc.msg)]
        except ValueError as exc:
            return [SyntaxIssue(1, 1, str(exc))]
        return []

    def file_changed(self, path: str) -> None:
        """Nothing is cached, so nothing to update."""

    def _gitignore(self) -> Any:
        try:
            text = (self.root / ".gitignore").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines(text.splitlines())
