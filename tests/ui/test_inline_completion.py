"""Ghost text in the editor: debounce, accept keys, type-through, cancel, Alt+\\, no model.

The completion model is the tiny random-weight qwen2 GGUF with FIM tokens, on its own thread
through real llama.cpp. Where a test needs to know the text (one word, a type-through) or a
request that runs until cancelled, the engine is scripted; the model thread is still real.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.core.cancel import CancelToken
from app.core.completion import Completion, CompletionEngine, RepoContext
from app.core.settings import Settings
from app.ui.completion_runner import CompletionRunner
from app.ui.editor_page import EditorPage
from app.ui.ghost_text import GhostText

SOURCE = "import os\n\n\ndef add(a, b):\n    return a + b\n\n\ndef main():\n    total = \n    print(total)\n"
# The tiny model's answers are random but fixed: in a project of this name it answers at
# `total = ` (in many others it answers nothing, which shows no ghost text).
PROJECT = "sample"
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


class ScriptedEngine:
    """Answers with the next scripted text; with `block_first`, the first call waits for its cancel."""

    def __init__(
        self, replies: list[str], *, context: RepoContext, block_first: bool = False, stream: bool = False
    ) -> None:
        self.replies = replies
        self.stream = stream
        self.context = context
        self.block_first = block_first
        self.calls: list[tuple[str, int]] = []
        self.tokens: list[CancelToken] = []
        self.started = threading.Event()

    def complete(self, *, path: str, text: str, offset: int, cancel: CancelToken, **_: Any) -> Completion:
        self.calls.append((path, offset))
        self.tokens.append(cancel)
        if self.block_first and len(self.calls) == 1:
            self.started.set()
            cancel.wait(10.0)
            return Completion("STALE", cached=False)  # a late answer, as a slow model would give
        return Completion(self.replies.pop(0) if self.replies else "", cached=False)

    def completions(self, **request: Any) -> Iterator[str | Completion]:
        done = self.complete(**request)
        # With `stream`, as a model writes it: the ghost text grows word by word, then the answer.
        words = done.text.split(" ") if self.stream else []
        for n in range(1, len(words)):
            yield " ".join(words[:n])
        yield done


@contextmanager
def editor_with_completion(
    qtbot: Any, tmp_path: Path, tiny_fim: Path, *, engine: ScriptedEngine | None = None, text: str = SOURCE
) -> Iterator[tuple[CompletionRunner, EditorPage, GhostText, list[ScriptedEngine]]]:
    """An open file with ghost text, its runner's model loaded; the engine scripted when given."""
    root = tmp_path / PROJECT
    root.mkdir()
    (root / "main.py").write_text(text, encoding="utf-8")
    settings = Settings(completion_model=str(tiny_fim), gpu="off")
    made: list[Any] = []

    def factory(model: Any, **kwargs: Any) -> Any:
        made.append(engine or CompletionEngine(model, **kwargs))
        if engine is not None:
            engine.context = kwargs["context"]
        return made[-1]

    runner = CompletionRunner(
        settings=settings, project=lambda: root, index=lambda: None, engine_factory=factory
    )
    page = EditorPage(root / "main.py")
    qtbot.addWidget(page)
    page.load()
    page.show()
    runner.show_page(page)
    try:
        qtbot.waitUntil(lambda: runner._state == "ready", timeout=60000)
        ghost = next(g for g in runner._paths if g.editor is page.editor)
        yield runner, page, ghost, made
    finally:
        runner.shutdown()


def cursor_after(page: EditorPage, needle: str) -> None:
    cursor = page.editor.textCursor()
    cursor.setPosition(page.editor.toPlainText().index(needle) + len(needle))
    page.editor.setTextCursor(cursor)


def test_typing_shows_ghost_text_after_the_debounce_and_tab_inserts_it(qtbot, tmp_path, tiny_fim):
    with editor_with_completion(qtbot, tmp_path, tiny_fim) as (runner, page, ghost, _made):
        assert runner.state()[0] == "Completion: tiny-coder-fim"  # the file's name, not its GGUF name
        cursor_after(page, "total = ")
        before = page.editor.toPlainText()
        with qtbot.waitSignal(runner.completion_shown, timeout=10000):
            qtbot.keyClicks(page.editor, "a")
            assert not ghost.visible and runner._timer.isActive()  # waiting out the debounce
        shown = ghost.text
        qtbot.keyClick(page.editor, Qt.Key.Key_Tab)
        at = before.index("total = ") + len("total = ")
        assert page.editor.toPlainText() == before[:at] + "a" + shown + before[at:]
        assert not ghost.visible
        assert page.editor.textCursor().position() == at + 1 + len(shown)


def test_ghost_text_grows_as_the_model_writes_and_tab_takes_what_is_shown(qtbot, tmp_path, tiny_fim):
    engine = ScriptedEngine(["add(1, 2) # three", "x"], context=RepoContext(), stream=True)
    with editor_with_completion(qtbot, tmp_path, tiny_fim, engine=engine) as (runner, page, ghost, _made):
        seen: list[str] = []
        ghost.shown.connect(seen.append)
        cursor_after(page, "total = ")
        with qtbot.waitSignal(runner.completion_shown, timeout=5000):
            qtbot.keyClick(page.editor, Qt.Key.Key_Space)
        assert seen == ["add(1,", "add(1, 2)", "add(1, 2) #", "add(1, 2) # three"]
        # A partial answer is ghost text like any other: Tab inserts what is shown.
        ghost.show_text("add(1,", position=page.editor.textCursor().position())
        qtbot.keyClick(page.editor, Qt.Key.Key_Tab)
        assert "total =  add(1,\n" in page.editor.toPlainText()


def test_esc_dismisses_and_then_tab_and_esc_do_what_they_always_do(qtbot, tmp_path, tiny_fim):
    engine = ScriptedEngine(["zz_ghost()"], context=RepoContext())
    with editor_with_completion(qtbot, tmp_path, tiny_fim, engine=engine) as (_runner, page, ghost, _made):
        cursor_after(page, "total = ")
        qtbot.keyClick(page.editor, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: ghost.visible, timeout=5000)
        text = page.editor.toPlainText()
        qtbot.keyClick(page.editor, Qt.Key.Key_Escape)
        assert not ghost.visible and page.editor.toPlainText() == text
        qtbot.keyClick(page.editor, Qt.Key.Key_Tab)  # no ghost text: an ordinary Tab
        assert "zz_ghost" not in page.editor.toPlainText() and page.editor.toPlainText() != text


def test_ctrl_right_accepts_one_word_and_typing_the_start_keeps_the_rest(qtbot, tmp_path, tiny_fim):
    engine = ScriptedEngine(["result(a, b) + 1"], context=RepoContext())
    with editor_with_completion(qtbot, tmp_path, tiny_fim, engine=engine) as (_runner, page, ghost, _made):
        cursor_after(page, "total = ")
        qtbot.keyClick(page.editor, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: ghost.visible, timeout=5000)
        qtbot.keyClick(page.editor, Qt.Key.Key_Right, CTRL)
        assert "total =  result\n" in page.editor.toPlainText() and ghost.text == "(a, b) + 1"
        qtbot.keyClick(page.editor, Qt.Key.Key_Right, CTRL)
        assert ghost.text == "a, b) + 1"
        qtbot.keyClicks(page.editor, "a, ")
        assert ghost.text == "b) + 1"  # typed into: the rest is still shown, no new request
        assert len(engine.calls) == 1
        qtbot.keyClicks(page.editor, "x")  # not what it suggested: gone
        assert not ghost.visible


def test_no_automatic_request_with_more_than_8_characters_right_of_the_cursor(qtbot, tmp_path, tiny_fim):
    engine = ScriptedEngine(["value"], context=RepoContext())
    with editor_with_completion(qtbot, tmp_path, tiny_fim, engine=engine) as (runner, page, ghost, _made):
        cursor_after(page, "    print(")  # "total)" is right of it: 6 characters, still asks
        qtbot.keyClicks(page.editor, "x")
        assert runner._timer.isActive()
        runner._cancel()
        cursor = page.editor.textCursor()
        cursor.setPosition(page.editor.toPlainText().index("    return a + b"))
        page.editor.setTextCursor(cursor)  # "    return a + b" sits right of it: 16 characters
        qtbot.keyClicks(page.editor, "#")
        assert not runner._timer.isActive() and runner._current is None
        qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)  # by hand it asks anyway
        assert runner._current is not None
        qtbot.waitUntil(lambda: ghost.visible, timeout=5000)
        assert ghost.text == "value" and len(engine.calls) == 1


def test_a_keystroke_cancels_the_request_in_flight_and_its_late_answer_is_never_shown(
    qtbot, tmp_path, tiny_fim
):
    engine = ScriptedEngine(["fresh"], context=RepoContext(), block_first=True)
    with editor_with_completion(qtbot, tmp_path, tiny_fim, engine=engine) as (runner, page, ghost, _made):
        shown: list[str] = []
        ghost.shown.connect(shown.append)
        cursor_after(page, "total = ")
        qtbot.keyClicks(page.editor, "a")
        qtbot.waitUntil(engine.started.is_set, timeout=5000)
        qtbot.keyClicks(page.editor, "b")
        assert engine.tokens[0].cancelled  # set at the keystroke, not when the request ends
        with qtbot.waitSignal(runner.completion_shown, timeout=5000):
            pass
        assert shown == ["fresh"] and ghost.text == "fresh"
        assert len(engine.calls) == 2


def test_alt_backslash_asks_at_once_without_the_debounce(qtbot, tmp_path, tiny_fim):
    with editor_with_completion(qtbot, tmp_path, tiny_fim) as (runner, page, _ghost, made):
        cursor_after(page, "total = ")
        qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)
        assert runner._current is not None and not runner._timer.isActive()  # sent, not waiting
        assert page.editor.toPlainText() == SOURCE  # the key typed nothing
        with qtbot.waitSignal(runner.request_finished, timeout=10000) as finished:
            pass
        assert isinstance(finished.args[0], Completion) and len(made) == 1


def test_completion_off_for_a_language_asks_nothing(qtbot, tmp_path, tiny_fim):
    engine = ScriptedEngine(["value"], context=RepoContext())
    with editor_with_completion(qtbot, tmp_path, tiny_fim, engine=engine) as (runner, page, _ghost, _made):
        runner.set_language_enabled("python", on=False)
        assert runner.state()[0] == "Completion: off for python"
        assert runner.settings.completion_off == ["python"]
        cursor_after(page, "total = ")
        qtbot.keyClicks(page.editor, "a")
        assert not runner._timer.isActive()
        runner.set_language_enabled("python", on=True)
        assert runner.state()[0].startswith("Completion: tiny")


def test_opened_and_saved_files_become_context(qtbot, tmp_path, tiny_fim):
    engine = ScriptedEngine(["x", "y"], context=RepoContext())
    with editor_with_completion(qtbot, tmp_path, tiny_fim, engine=engine) as (_runner, page, ghost, _made):
        cursor_after(page, "total = ")
        qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)
        qtbot.waitUntil(lambda: ghost.visible, timeout=5000)
        held = engine.context.chunks("other.py", "", 0)
        assert [c.path for c in held] == ["main.py"] and "def add" in held[0].text
        page.editor.appendPlainText("def saved_helper():\n    return 2\n")
        page.save()
        qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)
        qtbot.waitUntil(lambda: len(engine.calls) == 2, timeout=5000)
        qtbot.waitUntil(lambda: any("saved_helper" in c.text for c in engine.context.chunks("o.py", "", 0)))


def test_the_engine_gets_python_offsets_after_astral_characters(qtbot, tmp_path, tiny_fim):
    text = 'face = "😀😀"  # two UTF-16 units each in Qt\n' + SOURCE
    engine = ScriptedEngine(["1"], context=RepoContext())
    with editor_with_completion(qtbot, tmp_path, tiny_fim, engine=engine, text=text) as (_r, page, ghost, _m):
        found = page.editor.document().find("total = ")
        found.clearSelection()
        page.editor.setTextCursor(found)
        assert found.position() == text.index("total = ") + len("total = ") + 2  # Qt counts 2 more
        qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)
        qtbot.waitUntil(lambda: ghost.visible, timeout=5000)
        assert engine.calls == [("main.py", text.index("total = ") + len("total = "))]


def test_forget_drops_the_engine_with_its_context_and_cache(qtbot, tmp_path, tiny_fim):
    with editor_with_completion(qtbot, tmp_path, tiny_fim) as (runner, page, _ghost, made):
        cursor_after(page, "total = ")
        with qtbot.waitSignal(runner.request_finished, timeout=10000):
            qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)
        assert len(made[0].context.chunks("other.py", "", 0)) == 1  # main.py, from when it was shown
        runner.forget()
        with qtbot.waitSignal(runner.request_finished, timeout=10000):
            qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)
        assert len(made) == 2 and made[1].context.chunks("other.py", "", 0) == []


def test_a_model_without_fim_tokens_is_refused_with_the_reason_in_the_status(qtbot, tmp_path, tiny_qwen2):
    (tmp_path / "main.py").write_text(SOURCE, encoding="utf-8")
    settings = Settings(completion_model=str(tiny_qwen2), gpu="off")
    runner = CompletionRunner(settings=settings, project=lambda: tmp_path, index=lambda: None)
    page = EditorPage(tmp_path / "main.py")
    qtbot.addWidget(page)
    page.load()
    try:
        runner.show_page(page)
        qtbot.waitUntil(lambda: runner.state()[0] == "Completion: unavailable", timeout=60000)
        assert "no fill-in-the-middle tokens" in runner.state()[1]
        qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)  # asks nothing, breaks nothing
        assert runner._current is None
    finally:
        runner.shutdown()
