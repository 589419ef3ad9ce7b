from __future__ import annotations

from pathlib import Path

from app.core.agent import Mode
from app.core.agent.events import Diagnostics, EditProposed, EditResolved
from tests.core.agent.helpers import CALC, call, run_turn

CLASS_FILE = '''import os


class Shape:
    """A shape."""

    @property
    def area(self):
        return 0

    def name(self):
        return "shape"


class Square(Shape):
    def name(self):
        return "square"
'''


def test_whole_symbol_replacement_keeps_the_rest_of_the_file(project: Path) -> None:
    reply = "calc.py\n```python\ndef add(a, b):\n    return a + b\n```\n" + call("edit", path="calc.py")
    run = run_turn(project, [reply, "done"])
    assert (project / "calc.py").read_text() == CALC.replace("return a - b", "return a + b", 1)
    proposed = run.of(EditProposed)[0]
    assert proposed.kind == "symbol"
    assert "-    return a - b\n+    return a + b" in proposed.diff
    assert "No syntax errors" in run.outputs[0]


def test_method_replacement_by_qualified_name_reindents_and_keeps_decorators(project: Path) -> None:
    (project / "shapes.py").write_text(CLASS_FILE)
    reply = 'shapes.py\n```python\ndef name(self):\n    return "a " + "square"\n```\n' + call(
        "edit", path="shapes.py", symbol="Square.name"
    )
    prop = "\nshapes.py\n```python\n    @property\n    def area(self):\n        return 1\n```\n" + call(
        "edit", path="shapes.py"
    )
    run = run_turn(project, [reply, prop, "done"])
    text = (project / "shapes.py").read_text()
    assert '    def name(self):\n        return "a " + "square"\n' in text
    assert 'return "shape"' in text  # Shape.name untouched
    assert text.count("@property") == 1 and "        return 1\n" in text
    assert [e.kind for e in run.of(EditProposed)] == ["symbol", "symbol"]


def test_ambiguous_symbol_asks_for_a_qualified_name(project: Path) -> None:
    (project / "shapes.py").write_text(CLASS_FILE)
    reply = "shapes.py\n```python\ndef name(self):\n    return 1\n```\n" + call("edit", path="shapes.py")
    run = run_turn(project, [reply, "done"])
    assert "defined 2 times" in run.outputs[0] and "Class.name" in run.outputs[0]
    assert (project / "shapes.py").read_text() == CLASS_FILE


def test_a_new_function_is_added_next_to_the_replaced_one(project: Path) -> None:
    reply = (
        "calc.py\n```python\ndef add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n```\n"
        + call("edit", path="calc.py")
    )
    run_turn(project, [reply, "done"])
    text = (project / "calc.py").read_text()
    assert "def mul(a, b):\n    return a * b" in text and "def sub(a, b)" in text
    assert text.index("def mul") < text.index("def sub")
    compile(text, "calc.py", "exec")


def test_whole_file_for_small_files_and_create(project: Path) -> None:
    whole = "calc.py\n```python\nimport math\n\n\ndef add(a, b):\n    return a + b\n```\n" + call(
        "write", path="calc.py"
    )
    new = "\nsrc/new_mod.py\n```python\nVALUE = 1\n```\n" + call("write", path="src/new_mod.py")
    run = run_turn(project, [whole, new, "done"])
    assert (project / "calc.py").read_text() == "import math\n\n\ndef add(a, b):\n    return a + b\n"
    assert (project / "src" / "new_mod.py").read_text() == "VALUE = 1\n"
    assert [e.kind for e in run.of(EditProposed)] == ["file", "create"]
    assert run.of(EditProposed)[1].diff.startswith("--- /dev/null\n+++ b/src/new_mod.py")


def test_large_files_are_not_rewritten_whole(project: Path) -> None:
    big = "".join(f"X{i} = {i}\n" for i in range(400))
    (project / "big.py").write_text(big)
    reply = "big.py\n```python\nprint('changed')\n```\n" + call("edit", path="big.py")
    run = run_turn(project, [reply, "done"])
    assert "too long to rewrite whole" in run.outputs[0]
    assert (project / "big.py").read_text() == big


def test_search_replace_tolerates_indentation_and_trailing_spaces(project: Path) -> None:
    (project / "shapes.py").write_text(CLASS_FILE)
    reply = (
        'shapes.py\n```python\n<<<<<<< SEARCH\ndef name(self):   \n    return "square"\n=======\n'
        'def name(self):\n    return "SQUARE"\n>>>>>>> REPLACE\n```\n' + call("edit", path="shapes.py")
    )
    run = run_turn(project, [reply, "done"])
    assert '    def name(self):\n        return "SQUARE"\n' in (project / "shapes.py").read_text()
    assert run.of(EditProposed)[0].kind == "search_replace"


def test_search_not_found_says_what_the_file_holds(project: Path) -> None:
    reply = (
        "calc.py\n<<<<<<< SEARCH\ndef add(x, y):\n    return x - y\n=======\ndef add(x, y):\n    return x + y\n>>>>>>> REPLACE\n"
        + call("edit", path="calc.py")
    )
    run = run_turn(project, [reply, "done"])
    assert "does not match" in run.outputs[0]
    assert "Did you mean" in run.outputs[0] and "def add(a, b):" in run.outputs[0]
    assert (project / "calc.py").read_text() == CALC


def test_files_holding_control_token_text_are_edited_exactly(project: Path) -> None:
    tricky = 'END = "<|im_end|>"\nCALL = "<tool_call>"\n\n\ndef marker():\n    return "<|im_start|>"\n'
    (project / "tokens.py").write_text(tricky)
    symbol = 'tokens.py\n```python\ndef marker():\n    return "<tool_call>" + "<|im_end|>"\n```\n' + call(
        "edit", path="tokens.py"
    )
    search = (
        '\ntokens.py\n```python\n<<<<<<< SEARCH\nCALL = "<tool_call>"\n=======\nCALL = "</tool_call><tool_call>"\n>>>>>>> REPLACE\n```\n'
        + call("edit", path="tokens.py")
    )
    run = run_turn(project, [call("read", path="tokens.py"), symbol, search, "done"])
    assert '1: END = "<|im_end|>"' in run.outputs[0]
    assert (project / "tokens.py").read_text() == (
        'END = "<|im_end|>"\nCALL = "</tool_call><tool_call>"\n\n\ndef marker():\n    return "<tool_call>" + "<|im_end|>"\n'
    )


def test_syntax_errors_after_an_edit_go_back_to_the_model(project: Path) -> None:
    reply = "calc.py\n```python\ndef add(a, b):\n    return (a + b\n```\n" + call("edit", path="calc.py")
    run = run_turn(project, [reply, "done"])
    diags = run.of(Diagnostics)[0]
    assert diags.path == "calc.py" and diags.issues
    assert "Syntax errors in calc.py" in run.outputs[0]


def test_rejected_edits_leave_the_file_alone_and_tell_the_model(project: Path) -> None:
    reply = "calc.py\n```python\ndef add(a, b):\n    return a + b\n```\n" + call("edit", path="calc.py")
    run = run_turn(project, [reply, "ok"], answer="reject")
    assert (project / "calc.py").read_text() == CALC
    assert run.of(EditResolved)[0].applied is False
    assert "rejected the edit" in run.outputs[0]


def test_edit_without_a_block_explains_the_format(project: Path) -> None:
    run = run_turn(project, [call("edit", path="calc.py"), "ok"])
    assert "no code block for calc.py" in run.outputs[0]


def test_plan_mode_applies_nothing_even_with_auto_accept(project: Path) -> None:
    reply = "calc.py\n```python\ndef add(a, b):\n    return a + b\n```\n" + call("edit", path="calc.py")
    run_turn(project, [reply, "ok"], mode=Mode.PLAN, answer="always")
    assert (project / "calc.py").read_text() == CALC
