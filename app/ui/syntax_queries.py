"""Which tree-sitter grammar and highlights query colour a file in the editor (no Qt here).

The indexed languages come from the index's registry (`app.core.index.languages`); the
editor adds four it only colours: Markdown, JSON, YAML and TOML. A language's query is the
`queries/highlights.scm` its grammar wheel ships, read from the installed package so it
always matches the grammar's node names, with Enclave's own
`resources/queries/<language>-highlights.scm` in front of it where the wheel has none
(Kotlin, HCL; C#'s wheel installs its query where no import finds it) or where its patterns need correcting (TOML's tables).

When several patterns capture one node, the more specific pattern wins (the longer one,
counted without spaces; an alternation like `["if" "else"] @keyword` counts as least
specific), which suits both conventions the wheels mix: Neovim's, where a later pattern
overrides an earlier one (`(identifier) @variable` comes first), and the tree-sitter CLI's,
where the first one wins (Go, Rust, Nix, JSON). Between equals, the file's convention decides.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath
from typing import cast

import tree_sitter

from app.core.index.languages import GRAMMARS, Grammar, language_for_path, load_language
from app.core.paths import resources_dir

logger = logging.getLogger(__name__)

# Grammars the editor colours but the index does not parse (they carry no symbols).
EXTRA_GRAMMARS: dict[str, Grammar] = {
    "markdown": Grammar("tree_sitter_markdown"),
    "markdown_inline": Grammar("tree_sitter_markdown", "inline_language"),
    "json": Grammar("tree_sitter_json"),
    "yaml": Grammar("tree_sitter_yaml"),
    "toml": Grammar("tree_sitter_toml"),
}
EXTRA_EXTENSIONS: dict[str, str] = {
    ".md": "markdown", ".markdown": "markdown", ".mdx": "markdown",
    ".json": "json", ".jsonc": "json", ".geojson": "json", ".ipynb": "json",
    ".yaml": "yaml", ".yml": "yaml",
    ".toml": "toml",
}  # fmt: skip
EXTRA_FILENAMES: dict[str, str] = {
    "Cargo.lock": "toml", "Pipfile": "toml", "poetry.lock": "toml", "uv.lock": "toml",
    ".clang-format": "yaml", ".clang-tidy": "yaml",
}  # fmt: skip

# The wheel files each language's query is made of, in order: (module, path in the package).
_DEFAULT_QUERY = "queries/highlights.scm"
_WHEEL_QUERIES: dict[str, tuple[tuple[str, str], ...]] = {
    # tree-sitter-typescript's query only adds to JavaScript's (its tree-sitter.json says so).
    "typescript": (("tree_sitter_javascript", _DEFAULT_QUERY), ("tree_sitter_typescript", _DEFAULT_QUERY)),
    "tsx": (
        ("tree_sitter_javascript", _DEFAULT_QUERY),
        ("tree_sitter_javascript", "queries/highlights-jsx.scm"),
        ("tree_sitter_typescript", _DEFAULT_QUERY),
    ),
    "javascript": (
        ("tree_sitter_javascript", _DEFAULT_QUERY),
        ("tree_sitter_javascript", "queries/highlights-jsx.scm"),
    ),
    # So do tree-sitter-cpp's and tree-sitter-objc's to C's.
    "cpp": (("tree_sitter_c", _DEFAULT_QUERY), ("tree_sitter_cpp", _DEFAULT_QUERY)),
    "objc": (("tree_sitter_c", _DEFAULT_QUERY), ("tree_sitter_objc", _DEFAULT_QUERY)),
    "markdown": (("tree_sitter_markdown", "queries/markdown/highlights.scm"),),
    "markdown_inline": (("tree_sitter_markdown", "queries/markdown_inline/highlights.scm"),),
}
# Queries written for the tree-sitter CLI, where the first pattern on a node wins.
FIRST_WINS = frozenset({"go", "rust", "nix", "json"})


@dataclass(frozen=True)
class HighlightGrammar:
    """A compiled grammar and highlights query for one language."""

    name: str
    language: tree_sitter.Language
    query: tree_sitter.Query
    own_patterns: int  # the query's first patterns, Enclave's own, outrank the wheel's
    specificity: tuple[int, ...]  # per pattern
    first_wins: bool

    def rank(self, pattern: int) -> tuple[bool, int, int]:
        """How strongly pattern `pattern` claims a node: the higher rank wins it."""
        order = -pattern if self.first_wins else pattern
        return pattern < self.own_patterns, self.specificity[pattern], order


_lock = threading.Lock()
_cache: dict[str, HighlightGrammar | None] = {}
_extra_languages: dict[str, tree_sitter.Language | None] = {}


def highlight_language(file_name: str) -> str | None:
    """The language that colours `file_name` in the editor, or None (shown plain)."""
    pure = PurePosixPath(file_name)
    return (
        language_for_path(file_name)
        or EXTRA_FILENAMES.get(pure.name)
        or EXTRA_EXTENSIONS.get(pure.suffix.lower())
    )


def highlight_languages() -> tuple[str, ...]:
    """Every language the editor knows how to colour (whether or not its wheel loads here)."""
    return (*GRAMMARS, *(name for name in EXTRA_GRAMMARS if name != "markdown_inline"))


def load_highlight(name: str) -> HighlightGrammar | None:
    """The grammar and compiled query for `name`, or None when either is missing or broken.

    Compiling a large query takes up to ~0.4 s (Swift), once per language and run.
    """
    with _lock:
        if name in _cache:
            return _cache[name]
    language = load_language(name) if name in GRAMMARS else _load_extra(name)
    grammar: HighlightGrammar | None = None
    if language is not None:
        own, wheel = _own_query(name), _wheel_query(name)
        if own or wheel:
            try:
                query = tree_sitter.Query(language, own + wheel)
            except Exception as exc:  # a query that no longer fits its grammar costs colours only
                logger.warning("highlights for %s unavailable: %s", name, type(exc).__name__)
            else:
                own_bytes = len(own.encode("utf-8"))
                count = cast(int, query.pattern_count)  # a property; the 0.25 stubs say method
                own_patterns = sum(1 for i in range(count) if query.start_byte_for_pattern(i) < own_bytes)
                source = (own + wheel).encode("utf-8")
                specificity = tuple(
                    _specificity(source[query.start_byte_for_pattern(i) : query.end_byte_for_pattern(i)])
                    for i in range(count)
                )
                grammar = HighlightGrammar(
                    name, language, query, own_patterns, specificity, name in FIRST_WINS
                )
    with _lock:
        _cache[name] = grammar
    return grammar


def _specificity(pattern: bytes) -> int:
    if pattern.lstrip().startswith(b"["):
        return 0  # a list of alternatives: keywords, operators, literal kinds
    return len(b"".join(pattern.split()))


def _load_extra(name: str) -> tree_sitter.Language | None:
    with _lock:
        if name in _extra_languages:
            return _extra_languages[name]
    grammar = EXTRA_GRAMMARS.get(name)
    language: tree_sitter.Language | None = None
    if grammar is not None:
        try:
            module = importlib.import_module(grammar.module)
            language = tree_sitter.Language(getattr(module, grammar.function)())
        except Exception as exc:  # a missing wheel leaves that language plain
            logger.warning("grammar %s unavailable: %s", name, type(exc).__name__)
    with _lock:
        _extra_languages[name] = language
    return language


def _own_query(name: str) -> str:
    path = resources_dir() / "queries" / f"{name}-highlights.scm"
    try:
        return path.read_text(encoding="utf-8") + "\n"
    except OSError:
        return ""


def _wheel_query(name: str) -> str:
    grammar = GRAMMARS.get(name) or EXTRA_GRAMMARS.get(name)
    if grammar is None:
        return ""
    parts = []
    for module, path in _WHEEL_QUERIES.get(name, ((grammar.module, _DEFAULT_QUERY),)):
        try:
            parts.append(resources.files(module).joinpath(path).read_text(encoding="utf-8"))
        except (OSError, ModuleNotFoundError):
            continue  # this wheel ships no query (or is not installed)
    return "\n".join(parts)
