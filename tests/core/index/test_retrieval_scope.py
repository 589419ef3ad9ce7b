"""The question's leading scope ("printer: ...", "fix(binding): ...") and filling with code."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.index import ProjectIndex
from app.core.index.retrieval import DEFAULT_OPTIONS, scope_terms

Tree = Callable[[dict[str, str | bytes]], Path]

# Both packages handle "empty lines" in the same words; only the folder tells them apart.
TWO_PACKAGES = {
    "printer/lines.py": "def write(lines):\n    # skip empty lines before writing\n    return [x for x in lines if x]\n",
    "reader/lines.py": (
        "def read(lines):\n    # skip empty lines, keep empty lines out of the empty lines count\n"
        "    return [x for x in lines if x]\n"
    ),
}


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("printer: skip empty lines", {"printer"}),
        ("fix(binding): dereference pointer to struct", {"bind"}),
        ("ignore/types: include msbuild solution filters", {"ignor", "typ"}),
        ("refactor(types)!: remove deprecated plugin type", {"typ"}),
        ("fix: correctly handle empty host", set()),  # a change type, not a place
        ("Fixes #5113: routeOptions missing type", set()),
        ("skip empty lines: why?", set()),  # a colon later in the question is no scope
        ("why does the printer skip empty lines", set()),
    ],
)
def test_a_leading_scope_names_where_to_look(question: str, terms: set[str]) -> None:
    assert set(scope_terms(question)) == terms


def test_the_file_under_the_scope_wins_over_one_that_repeats_the_words(make_tree: Tree) -> None:
    index = ProjectIndex.open(make_tree(TWO_PACKAGES), workers=1)
    unscoped = dataclasses.replace(DEFAULT_OPTIONS, scope_share=0.0)
    assert index.context("skip empty lines", top=1, options=unscoped)[0].file == "reader/lines.py"
    assert index.context("printer: skip empty lines", top=1)[0].file == "printer/lines.py"


def test_code_fills_the_list_ahead_of_tests_when_little_code_matches(make_tree: Tree) -> None:
    root = make_tree(
        {
            "app/core.py": "import app.util\n\ndef run():\n    return app.util.helper()\n",
            "app/util.py": "def helper():\n    return 1\n",
            "tests/test_flaky.py": "def test_retry_backoff_jitter():\n    assert True\n",
            "tests/test_retry.py": "def test_retry():\n    assert True\n",
            "tests/test_backoff.py": "def test_backoff():\n    assert True\n",
        }
    )
    index = ProjectIndex.open(root, workers=1)
    ranked = [r.file for r in index.context("retry backoff jitter", top=3)]
    assert set(ranked[:2]) == {"app/core.py", "app/util.py"}
    assert ranked[2] == "tests/test_flaky.py"  # the best-matching test still comes next
    unfilled = dataclasses.replace(DEFAULT_OPTIONS, fill_implementation=False)
    only_tests = [r.file for r in index.context("retry backoff jitter", top=3, options=unfilled)]
    assert all(f.startswith("tests/") for f in only_tests)
