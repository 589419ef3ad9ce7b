"""How a reply reads: boxed code that wraps inside the pane, shaded inline code, spaced messages."""

from __future__ import annotations

from PySide6.QtGui import QTextFormat

from app.ui.chat_panel import ChatPanel

LONG = "x = " + " + ".join(f"value_{i}" for i in range(80))


def _panel(qtbot) -> ChatPanel:
    panel = ChatPanel()
    qtbot.addWidget(panel)
    panel.resize(460, 600)
    panel.show()
    user = panel.conversation.ask("show me")
    reply = panel.conversation.add("assistant", "", parent=user.id)
    reply.text = f"Call `retry()` like this:\n\n```python\n{LONG}\n```\n"
    reply.finish = "stop"
    panel.transcript.show_conversation(panel.conversation)
    return panel


def _blocks(panel: ChatPanel):
    block = panel.transcript.document().firstBlock()
    while block.isValid():
        yield block
        block = block.next()


def test_a_long_code_line_wraps_in_its_box_instead_of_widening_the_chat(qtbot):
    panel = _panel(qtbot)
    qtbot.waitUntil(lambda: panel.transcript.viewport().width() > 0)
    assert panel.transcript.horizontalScrollBar().maximum() == 0
    code = [b for b in _blocks(panel) if b.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence)]
    assert code and all(b.blockFormat().background().style().value != 0 for b in code)  # boxed
    assert code[0].layout().lineCount() > 1  # the long line wraps


def test_inline_code_is_shaded_and_edit_sits_in_the_message_header(qtbot):
    panel = _panel(qtbot)
    prose = next(b for b in _blocks(panel) if b.text().startswith("Call "))
    shaded = [
        it.fragment().text()
        for it in _fragments(prose)
        if it.fragment().charFormat().background().style().value != 0
    ]
    assert shaded == ["retry()"]
    header = next(b for b in _blocks(panel) if b.text().startswith("You"))
    assert "Edit" in header.text()  # not a line of its own between the messages
    answer = next(b for b in _blocks(panel) if b.text() == "Enclave")
    assert answer.blockFormat().topMargin() >= 12


def _fragments(block):
    it = block.begin()
    while not it.atEnd():
        yield it
        it += 1


def test_a_welcome_example_goes_into_the_message_box(qtbot):
    panel = ChatPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert "prompt:where is the retry logic?" in panel.transcript.toHtml()
    panel.transcript.link_activated.emit("prompt:where is the retry logic?")
    assert panel.input.toPlainText() == "where is the retry logic?"
    assert panel.conversation.leaf() is None  # put in the box to edit or send, not sent


def test_a_file_link_moves_to_the_next_line_whole_and_copies_clean(qtbot):
    panel = ChatPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 500)
    panel.show()
    user = panel.conversation.ask("where?")
    reply = panel.conversation.add("assistant", "", parent=user.id)
    reply.text = "See the reference here at app/core/index/retrieval_helpers.py:120 for it."
    reply.finish = "stop"
    panel.transcript.show_conversation(panel.conversation)
    block = next(b for b in _blocks(panel) if "retrieval" in b.text())
    layout, text = block.layout(), block.text()
    first, last = text.index("app"), text.index(":120")
    assert layout.lineCount() > 1  # the pane is narrow: the sentence wraps
    assert layout.lineForTextPosition(first).lineNumber() == layout.lineForTextPosition(last).lineNumber()
    panel.transcript.selectAll()
    copied = panel.transcript.createMimeDataFromSelection().text()
    assert "app/core/index/retrieval_helpers.py:120" in copied  # no invisible joiners in a paste


def test_the_token_gauge_follows_the_branch_on_screen(qtbot):
    from app.core.agent.events import TurnDone

    def stats(prompt: int, completion: int) -> TurnDone:
        return TurnDone(
            reason="answered",
            text="",
            steps=1,
            prompt_tokens=prompt,
            completion_tokens=completion,
            tokens_per_s=1.0,
            elapsed_s=1.0,
        )

    panel = ChatPanel()
    qtbot.addWidget(panel)
    panel.set_context(used=0, size=8192)
    user = panel.conversation.ask("question")
    first = panel.conversation.add("assistant", "short answer", parent=user.id)
    first.stats, first.finish = stats(1000, 50), "stop"
    second = panel.conversation.regenerate(first.id)
    second.text, second.stats, second.finish = "a much longer answer", stats(1000, 900), "stop"
    panel.transcript.show_conversation(panel.conversation)
    panel.transcript.link_activated.emit(f"branch:{second.id}:-1")  # back to the first answer
    assert "short answer" in panel.transcript.toPlainText()
    assert panel.gauge.value() == 1050
    panel.transcript.link_activated.emit(f"branch:{first.id}:1")
    assert panel.gauge.value() == 1900
