from __future__ import annotations

from app.core.index import ProjectIndex, syntax_diagnostics
from tests.core.index.conftest import write_tree


def test_clean_code_has_no_diagnostics() -> None:
    assert syntax_diagnostics("def f():\n    return 1\n", "python") == ()


def test_error_node_reports_line_and_column() -> None:
    diags = syntax_diagnostics("def ok():\n    return 1\n\nx = = 1\n", "python")
    assert [(d.kind, d.line, d.column, d.message) for d in diags] == [
        ("error", 4, 5, "syntax error near '='")
    ]


def test_missing_paren_points_at_the_gap() -> None:
    diags = syntax_diagnostics("def ok():\n    return 1\n\ndef broken(:\n    pass\n", "python")
    assert [(d.kind, d.line, d.column) for d in diags] == [("missing", 4, 12)]


def test_missing_node_is_reported() -> None:
    diags = syntax_diagnostics("int main() { return 0 }\n", "c")
    assert [(d.kind, d.line, d.message) for d in diags] == [("missing", 1, "missing ;")]


def test_unknown_language_gives_nothing() -> None:
    assert syntax_diagnostics("whatever {", "brainfuck") == ()


def test_index_keeps_diagnostics_per_file(tmp_path) -> None:
    root = write_tree(tmp_path, {"bad.js": "function f( {\n", "good.js": "function g() {}\n"})
    index = ProjectIndex.open(root, workers=1)
    assert index.diagnostics("good.js") == ()
    assert index.diagnostics("bad.js")[0].line == 1
