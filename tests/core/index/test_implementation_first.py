"""Implementation first: code outranks its tests, docs and examples unless the question is about them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.index import ProjectIndex
from app.core.index.file_kinds import file_kind, implementation_first, kinds_asked_about, kinds_asked_for

Tree = Callable[[dict[str, str | bytes]], Path]

RATES = {
    "billing/rates.py": (
        "def convert_currency(amount, rate):\n"
        "    # currency conversion at the daily rate\n"
        "    return round(amount * rate, 2)\n"
    ),
    # Every file below repeats the question's words far more often than the code does.
    "tests/test_currency_conversion.py": (
        "from billing.rates import convert_currency\n\n\n"
        "def test_currency_conversion_rounds_currency():\n"
        "    # currency conversion currency conversion currency conversion rate rate\n"
        "    assert convert_currency(1, 1) == 1  # currency conversion\n"
    ),
    "docs/currency.md": "# Currency conversion\n\nCurrency conversion uses the rate. Currency conversion!\n",
    "examples/currency_conversion.py": (
        "from billing.rates import convert_currency\n"
        "# currency conversion example: currency conversion at a rate\n"
        "print(convert_currency(10, 1.1))  # currency conversion\n"
    ),
    "README.md": "Currency conversion, currency conversion, currency conversion.\n",
}


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("src/click/core.py", "implementation"),
        ("tests/test_core.py", "test"),
        ("pkg/core_test.go", "test"),
        ("lib/__tests__/a.js", "test"),
        ("src/widget.spec.ts", "test"),
        ("docs/conf.py", "doc"),
        ("README.md", "doc"),
        ("doc/man.go", "implementation"),  # a Go package named doc (cobra's)
        ("examples/basic/main.go", "example"),
        ("dist/bundle.min.js", "generated"),
        ("api/service.pb.go", "generated"),
        ("package.json", "config"),
        ("karma.conf.cjs", "config"),
        ("vite.config.ts", "config"),
        (".github/workflows/ci.yml", "config"),
        ("types/index.d.ts", "implementation"),
    ],
)
def test_file_kinds_come_from_the_path(path: str, kind: str) -> None:
    assert file_kind(path) == kind


def test_what_a_question_is_about() -> None:
    assert kinds_asked_about("where is the retry delay computed?") == {"implementation"}
    assert "test" in kinds_asked_about("add tests for parse_url")
    assert "doc" in kinds_asked_about("update the docs of the router")
    assert kinds_asked_for("add tests for parse_url") == set()  # a task, not a question about them
    assert kinds_asked_for("which tests cover parse_url?") == {"test"}
    assert kinds_asked_for("show me the examples of routing") == {"example"}


def test_the_implementation_wins_over_files_that_repeat_the_words_more(make_tree: Tree) -> None:
    index = ProjectIndex.open(make_tree(dict(RATES)), workers=1)
    hits = [h.file for h in index.context("how does currency conversion work?", top=5)]
    assert hits[0] == "billing/rates.py"


def test_a_question_about_tests_gets_the_test(make_tree: Tree) -> None:
    index = ProjectIndex.open(make_tree(dict(RATES)), workers=1)
    assert index.context("which tests cover currency conversion?", top=1)[0].file == (
        "tests/test_currency_conversion.py"
    )
    assert index.context("where are the docs for currency conversion?", top=1)[0].file in {
        "docs/currency.md",
        "README.md",
    }
    assert index.context("show me the example of currency conversion", top=1)[0].file == (
        "examples/currency_conversion.py"
    )


def test_a_named_file_keeps_its_place(make_tree: Tree) -> None:
    index = ProjectIndex.open(make_tree(dict(RATES)), workers=1)
    top = [h.file for h in index.context("what does currency_conversion.py print?", top=5)]
    assert "examples/currency_conversion.py" in top[:2]


def test_the_repo_map_and_the_mention_list_show_the_code_first(make_tree: Tree) -> None:
    index = ProjectIndex.open(make_tree(dict(RATES)), workers=1)
    assert index.repo_map(tokens=200).startswith("billing/rates.py:")
    ranked = index.ranked_files()
    assert ranked[0] == "billing/rates.py"
    assert sorted(ranked) == index.files()
    # A file the user mentions comes with its definitions, test or not.
    mentioned = index.repo_map(tokens=45, mentions=["tests/test_currency_conversion.py"])
    assert "def test_currency_conversion_rounds_currency" in mentioned


def test_implementation_first_keeps_each_tier_in_order() -> None:
    ranked = ["tests/test_b.py", "b.py", "docs/b.md", "a.py", "tests/test_a.py"]
    assert implementation_first(ranked) == ["b.py", "a.py", "tests/test_b.py", "docs/b.md", "tests/test_a.py"]
    assert implementation_first(ranked, question="fix the tests") == [
        "tests/test_b.py",
        "b.py",
        "a.py",
        "tests/test_a.py",
        "docs/b.md",
    ]
    assert implementation_first(ranked, named=["docs/b.md"])[:3] == ["b.py", "docs/b.md", "a.py"]
