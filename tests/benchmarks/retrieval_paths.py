"""Which paths count as source files, shared by the question miner and the held-out benchmark.

A source file has a programming-language extension (SOURCE_EXTENSIONS) and is none of:
- a test: a path component `test`, `tests`, `__tests__`, `testing`, `testdata`, `spec`,
  `specs`, `e2e`, `fixtures`, `benchmarks`, `bench`; or a name `test_*.py`, `*_test.py`,
  `*_test.go`, `*_tests.rs`, `*.test.*`, `*.spec.*`, `conftest.py`;
- documentation: a component `docs`, `documentation`, `site`, `website`, `man` (`doc/` is
  kept: cobra's `doc/` is a Go package, and elsewhere it holds only .md/.rst, never source);
- an example: a component `example`, `examples`, `_examples`, `sandbox`, `demo`, `demos`;
- generated or vendored: a component `dist`, `build`, `vendor`, `node_modules`, `third_party`,
  `generated`, or a name `*.min.js`, `*.pb.go`, `*_generated.*`, `*.generated.*`;
- packaging: a component `packaging`, `debian`, `brew`, `homebrew`, `snap`, `nix`;
- tooling: anything under a dot-directory (`.github/`, `.husky/`) or a dot-file, a name
  `*.config.{js,cjs,mjs,ts}`, `setup.py`, `noxfile.py`, `fabfile.py`, `tasks.py`,
  `Gruntfile.js`, `gulpfile.js`, `karma.conf.js`.
Changelogs, READMEs, lock files, manifests (Cargo.toml, package.json, go.mod) and data have
no source extension, so they never count.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

SOURCE_EXTENSIONS = frozenset(
    [
        ".py",
        ".pyi",
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
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".rb",
        ".php",
        ".swift",
        ".scala",
        ".lua",
        ".ex",
        ".exs",
        ".zig",
    ]
)
TEST_DIRS = frozenset(
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
DOC_DIRS = frozenset(["docs", "documentation", "site", "website", "man"])
EXAMPLE_DIRS = frozenset(["example", "examples", "_examples", "sandbox", "demo", "demos"])
GENERATED_DIRS = frozenset(["dist", "build", "vendor", "node_modules", "third_party", "generated"])
PACKAGING_DIRS = frozenset(["packaging", "debian", "brew", "homebrew", "snap", "nix"])
TOOLING_NAMES = frozenset(
    ["setup.py", "noxfile.py", "fabfile.py", "tasks.py", "gruntfile.js", "gulpfile.js", "karma.conf.js"]
)
_TEST_NAME = re.compile(r"^(test_.*\.py|.*_test\.(py|go)|.*_tests\.rs|conftest\.py|.*\.(test|spec)\.\w+)$")
_GENERATED_NAME = re.compile(r"^(.*\.min\.js|.*\.pb\.go|.*[_.]generated\.\w+)$")
_CONFIG_NAME = re.compile(r"^.*\.config\.(js|cjs|mjs|ts)$")


def path_kind(path: str) -> str:
    """'source', or why not: 'test', 'doc', 'example', 'generated', 'packaging', 'tooling', 'other'."""
    p = PurePosixPath(path)
    name = p.name.lower()
    dirs = {part.lower() for part in p.parts[:-1]}
    if any(part.startswith(".") for part in p.parts):
        return "tooling"
    if dirs & TEST_DIRS or _TEST_NAME.match(name):
        return "test"
    if dirs & DOC_DIRS:
        return "doc"
    if dirs & EXAMPLE_DIRS:
        return "example"
    if dirs & GENERATED_DIRS or _GENERATED_NAME.match(name):
        return "generated"
    if dirs & PACKAGING_DIRS:
        return "packaging"
    if name in TOOLING_NAMES or _CONFIG_NAME.match(name):
        return "tooling"
    if p.suffix.lower() not in SOURCE_EXTENSIONS:
        return "other"
    return "source"


def is_source(path: str) -> bool:
    """Whether `path` is an implementation file (see the module docstring)."""
    return path_kind(path) == "source"
