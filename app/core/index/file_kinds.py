"""What a file is for (implementation, test, docs, example, generated, config) and what a question is about.

Ranking puts implementation files first: tests repeat the words of the code they test, and
docs and examples repeat the words of the API, so on plain word counts they crowd out the
code that does the work. A question that is about tests, docs or examples (it says so, or
names the file) gets those kinds back in the first tier. `context`, the repo map and the
@-mention list all order files through `implementation_first`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import PurePosixPath
from typing import Literal, TypeVar

FileKind = Literal["implementation", "test", "doc", "example", "generated", "config"]
T = TypeVar("T")

_TEST_DIRS = frozenset(
    [
        "test",
        "tests",
        "__tests__",
        "testing",
        "testdata",
        "spec",
        "specs",
        "e2e",
        "fixtures",
        "benchmarks",
        "bench",
    ]
)
_DOC_DIRS = frozenset(["docs", "doc", "documentation", "site", "website", "man"])
_EXAMPLE_DIRS = frozenset(
    ["example", "examples", "_examples", "sample", "samples", "sandbox", "demo", "demos"]
)
_GENERATED_DIRS = frozenset(["dist", "build", "vendor", "node_modules", "third_party", "generated"])
_TEST_NAME = re.compile(
    r"^(test_.*\.py|.*_test\.(py|go)|.*_tests?\.rs|conftest\.py|.*\.(test|spec)\.\w+|.*Tests?\.(java|kt|cs|swift))$"
)
_GENERATED_NAME = re.compile(r"^(.*\.min\.(js|css)|.*\.pb\.go|.*_pb2\.py|.*[_.]generated\.\w+)$")
_CONFIG_NAME = re.compile(
    r"^(.*\.(config|conf)\.(js|cjs|mjs|ts)|setup\.py|noxfile\.py|conftest\.py|gulpfile\.js|gruntfile\.js)$"
)
# Extensions of code a question about behaviour may want; anything else (Markdown, JSON,
# YAML, lock files...) is documentation or configuration.
_CODE = frozenset(
    [
        ".py",
        ".pyi",
        ".pyx",
        ".js",
        ".mjs",
        ".cjs",
        ".jsx",
        ".ts",
        ".mts",
        ".cts",
        ".tsx",
        ".go",
        ".rs",
        ".java",
        ".kt",
        ".kts",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".cxx",
        ".hpp",
        ".hh",
        ".cs",
        ".rb",
        ".php",
        ".swift",
        ".scala",
        ".lua",
        ".ex",
        ".exs",
        ".zig",
        ".m",
        ".mm",
        ".dart",
        ".jl",
        ".r",
        ".sh",
        ".bash",
        ".pl",
        ".pm",
        ".hs",
        ".ml",
        ".elm",
        ".clj",
        ".erl",
        ".vue",
        ".svelte",
        ".sql",
    ]
)
_DOC_EXT = frozenset([".md", ".markdown", ".rst", ".txt", ".adoc", ".html", ".htm"])
# Words by which a question says which kind it is about.
_ABOUT = {
    "test": re.compile(
        r"\b(tests?|testing|tested|unit ?tests?|spec|specs|fixtures?|conftest|coverage)\b", re.I
    ),
    "doc": re.compile(r"\b(docs?|documentation|documented|readme|changelog|docstrings?)\b", re.I),
    "example": re.compile(r"\b(examples?|samples?|demos?|tutorials?)\b", re.I),
    "generated": re.compile(r"\b(generated|minified|vendored)\b", re.I),
    "config": re.compile(
        r"\b(manifest|package\.json|pyproject(\.toml)?|cargo\.toml|go\.mod|workflows?|ci|dockerfile|makefile|tsconfig)\b",
        re.I,
    ),
}


_KIND_WORDS = r"(tests?|specs?|docs?|documentation|examples?|samples?|demos?)"
# A question that asks for these files ("which tests cover...", "where are the docs for..."),
# not one that only mentions them as a task ("add tests", "update the docs").
_ASKS_FOR = re.compile(
    r"\b(which|what|where|find|show|list|open)\b[^.?!\n]{0,40}?\b" + _KIND_WORDS + r"\b"
    r"|\b" + _KIND_WORDS + r"\b\s+(that|which)\s+(cover|test|exercise|check|describe|show|use)",
    re.IGNORECASE,
)
_KIND_OF_WORD: dict[str, FileKind] = {"test": "test", "spec": "test", "doc": "doc", "documentation": "doc"}


@functools.lru_cache(maxsize=100_000)
def file_kind(path: str) -> FileKind:
    """What the file at project-relative `path` is for, judged from its path alone."""
    p = PurePosixPath(path)
    name = p.name.lower()
    dirs = {part.lower() for part in p.parts[:-1]}
    suffix = p.suffix.lower()
    if dirs & _TEST_DIRS or _TEST_NAME.match(p.name):
        return "test"
    if dirs & _GENERATED_DIRS or _GENERATED_NAME.match(name):
        return "generated"
    if any(part.startswith(".") for part in p.parts) or _CONFIG_NAME.match(name):
        return "config"
    if suffix in _DOC_EXT:
        return "doc"
    if dirs & _DOC_DIRS and not (dirs & _DOC_DIRS == {"doc"} and suffix in _CODE):
        # Code in a `doc/` folder is often a package that generates docs (cobra's doc/).
        return "doc"
    if dirs & _EXAMPLE_DIRS:
        return "example"
    if suffix not in _CODE:
        return "config"
    return "implementation"


def kinds_asked_about(question: str) -> frozenset[FileKind]:
    """The kinds a question is about: always implementation, plus any it names (tests, docs...)."""
    asked: set[FileKind] = {"implementation"}
    for kind, pattern in _ABOUT.items():
        if pattern.search(question):
            asked.add(kind)  # type: ignore[arg-type]
    return frozenset(asked)


def kinds_asked_for(question: str) -> frozenset[FileKind]:
    """The non-implementation kinds a question directly asks for ("which tests cover X?")."""
    found: set[FileKind] = set()
    for match in _ASKS_FOR.finditer(question):
        word = (match.group(2) or match.group(3) or "").lower().rstrip("s")
        found.add(_KIND_OF_WORD.get(word, "example"))
    return frozenset(found)


def implementation_first(
    items: Sequence[T],
    *,
    question: str = "",
    path_of: Callable[[T], str] = str,
    named: Iterable[str] = (),
) -> list[T]:
    """`items` (already ranked) with the first tier moved ahead, each tier keeping its order.

    The first tier is implementation files, the kinds `question` asks about, and `named`
    files (the ones the question or the user pointed at).
    """
    asked = kinds_asked_about(question)
    named_set = set(named)
    first: list[T] = []
    rest: list[T] = []
    for item in items:
        path = path_of(item)
        (first if path in named_set or file_kind(path) in asked else rest).append(item)
    return first + rest
