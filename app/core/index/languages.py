"""Which grammar parses which file, loaded lazily from the per-language wheels.

Each grammar is its own PyPI wheel with compiled code (no run-time downloads), so an
air-gapped install has every parser it will ever use.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from pathlib import PurePosixPath

import tree_sitter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grammar:
    """Where a language's grammar lives: the module and its language function."""

    module: str
    function: str = "language"


GRAMMARS: dict[str, Grammar] = {
    "python": Grammar("tree_sitter_python"),
    "javascript": Grammar("tree_sitter_javascript"),
    "typescript": Grammar("tree_sitter_typescript", "language_typescript"),
    "tsx": Grammar("tree_sitter_typescript", "language_tsx"),
    "go": Grammar("tree_sitter_go"),
    "rust": Grammar("tree_sitter_rust"),
    "java": Grammar("tree_sitter_java"),
    "c": Grammar("tree_sitter_c"),
    "cpp": Grammar("tree_sitter_cpp"),
    "csharp": Grammar("tree_sitter_c_sharp"),
    "bash": Grammar("tree_sitter_bash"),
    "ruby": Grammar("tree_sitter_ruby"),
    "php": Grammar("tree_sitter_php", "language_php"),
    "lua": Grammar("tree_sitter_lua"),
    "kotlin": Grammar("tree_sitter_kotlin"),
    "swift": Grammar("tree_sitter_swift"),
    "scala": Grammar("tree_sitter_scala"),
    "haskell": Grammar("tree_sitter_haskell"),
    "ocaml": Grammar("tree_sitter_ocaml", "language_ocaml"),
    "elixir": Grammar("tree_sitter_elixir"),
    "zig": Grammar("tree_sitter_zig"),
    "julia": Grammar("tree_sitter_julia"),
    "dart": Grammar("tree_sitter_dart"),
    "objc": Grammar("tree_sitter_objc"),
    "hcl": Grammar("tree_sitter_hcl"),
    "fortran": Grammar("tree_sitter_fortran"),
    "nix": Grammar("tree_sitter_nix"),
    "fsharp": Grammar("tree_sitter_fsharp"),
}

EXTENSIONS: dict[str, str] = {
    ".py": "python", ".pyi": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hh": "cpp", ".hpp": "cpp", ".hxx": "cpp",
    ".cs": "csharp",
    ".sh": "bash", ".bash": "bash", ".zsh": "bash",
    ".rb": "ruby", ".rake": "ruby", ".gemspec": "ruby",
    ".php": "php",
    ".lua": "lua",
    ".kt": "kotlin", ".kts": "kotlin",
    ".swift": "swift",
    ".scala": "scala", ".sc": "scala",
    ".hs": "haskell",
    ".ml": "ocaml", ".mli": "ocaml",
    ".ex": "elixir", ".exs": "elixir",
    ".zig": "zig",
    ".jl": "julia",
    ".dart": "dart",
    ".m": "objc", ".mm": "objc",
    ".tf": "hcl", ".hcl": "hcl",
    ".f90": "fortran", ".f95": "fortran", ".f03": "fortran", ".f08": "fortran", ".f": "fortran",
    ".nix": "nix",
    ".fs": "fsharp", ".fsx": "fsharp",
}  # fmt: skip

FILENAMES: dict[str, str] = {"Rakefile": "ruby", "Gemfile": "ruby", ".bashrc": "bash", ".zshrc": "bash"}

_lock = threading.Lock()
_languages: dict[str, tree_sitter.Language | None] = {}


def language_for_path(path: str) -> str | None:
    """The language name for a project-relative path, or None when no grammar applies."""
    pure = PurePosixPath(path)
    by_name = FILENAMES.get(pure.name)
    if by_name:
        return by_name
    return EXTENSIONS.get(pure.suffix.lower())


def load_language(name: str) -> tree_sitter.Language | None:
    """The compiled grammar, or None when its wheel is missing or fails to load."""
    with _lock:
        if name in _languages:
            return _languages[name]
        grammar = GRAMMARS.get(name)
        lang: tree_sitter.Language | None = None
        if grammar is not None:
            try:
                module = importlib.import_module(grammar.module)
                lang = tree_sitter.Language(getattr(module, grammar.function)())
            except Exception as exc:  # a broken wheel costs one language, not the index
                logger.warning("grammar %s unavailable: %s", name, type(exc).__name__)
        _languages[name] = lang
        return lang


def supported_languages() -> tuple[str, ...]:
    """Every language with a grammar entry (whether or not its wheel loads here)."""
    return tuple(GRAMMARS)
