"""Incremental rendering of a streamed reply: finished blocks are written once, the rest re-rendered."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor, QTextFormat

from app.core.conversation import Conversation
from app.ui.chat_markdown import finished_prefix
from app.ui.chat_transcript import ChatTranscript

REPLY = (
    "## Where\n\nThe retry loop is in pkg/net.py:4.\n\n"
    "- it tries three times\n- it sleeps between tries\n\n"
    "1. first step\n2. second step\n\n"
    "```python\ndef retry(fn):\n    return fn()\n```\n"
    "Then the caller:\n\n```python\nretry(load)\n```\n\nThat is all.\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one paragraph", 0),
        ("para one\n\npara two", len("para one\n\n")),
        ("para one\n\npa", 0),  # the next block has barely begun
        ("para\n\n- a\n\n- b", 0),  # a list item may belong to the list above
        ("- a\n- b\n\nafter the list", len("- a\n- b\n\n")),
        ("intro\n\n    indented", 0),
        ("```py\ncode\n\nmore code\n", 0),  # a blank line inside an open fence ends nothing
        ("```py\ncode\n```\nnext", len("```py\ncode\n```\n")),
        ("```py\ncode\n```", 0),  # the closing line is not complete yet
        ("a\n\n```py\nx\n", len("a\n\n")),
        ("~~~\n```\n~~~\ntail", len("~~~\n```\n~~~\n")),  # a fence closes only with its own kind
    ],
)
def test_finished_prefix(text, expected):
    assert finished_prefix(text) == expected


def test_finished_prefix_continues_from_an_earlier_end():
    text = "a\n\nb\n\nccc d"
    assert finished_prefix(text[:5]) == len("a\n\n")
    assert finished_prefix(text, start=len("a\n\n")) == finished_prefix(text) == len("a\n\nb\n\n")


def _streaming_reply(qtbot, question: str) -> tuple[ChatTranscript, Conversation, object]:
    """A transcript showing `question` and an empty assistant turn that is streaming."""
    transcript = ChatTranscript()
    qtbot.addWidget(transcript)
    conversation = Conversation()
    user = conversation.ask(question)
    turn = conversation.add("assistant", "", parent=user.id)
    transcript.show_conversation(conversation, streaming=True)
    return transcript, conversation, turn


def _stream(transcript, conversation, turn, text, *, step):
    for n in range(step, len(text) + step, step):
        turn.text = text[:n]
        transcript.update_last(conversation, streaming=True)


def _anchors(transcript):
    found = []
    block = transcript.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            href = it.fragment().charFormat().anchorHref()
            if href and href not in found:
                found.append(href)
            it += 1
        block = block.next()
    return found


def _blocks(transcript):
    """Per block: text, heading level, margins, code-fence flag, (list id, position in the list)."""
    out, lists = [], {}
    block = transcript.document().begin()
    while block.isValid():
        fmt, items = block.blockFormat(), block.textList()
        where = None
        if items is not None:
            where = (lists.setdefault(id(items), len(lists)), items.itemNumber(block))
        out.append(
            (
                block.text().replace("\u2060", ""),  # the joiners that keep a shown path on one line
                fmt.headingLevel(),
                fmt.topMargin(),
                fmt.bottomMargin(),
                fmt.hasProperty(QTextFormat.Property.BlockCodeFence),
                where,
            )
        )
        block = block.next()
    return out


def test_streamed_reply_matches_a_whole_render_and_keeps_finished_blocks(qtbot):
    transcript, conversation, turn = _streaming_reply(qtbot, "where is the retry?")

    half = REPLY.index("- it sleeps")
    _stream(transcript, conversation, turn, REPLY[:half], step=7)
    heading = transcript.document().find("Where")
    assert not heading.isNull()
    heading.block().setUserState(42)  # a finished block that must never be rendered again
    _stream(transcript, conversation, turn, REPLY, step=5)
    assert transcript.toPlainText().rstrip().endswith("That is all. ▍")
    turn.finish = "stop"
    transcript.update_last(conversation, streaming=False)

    assert transcript.document().find("Where").block().userState() == 42
    whole = ChatTranscript()
    qtbot.addWidget(whole)
    whole.show_conversation(conversation)
    assert transcript.toPlainText() == whole.toPlainText()
    assert _blocks(transcript) == _blocks(whole)
    assert "▍" not in transcript.toPlainText()
    # Each piece keeps its first block's format: the heading, code lines, list numbering.
    by_text = {b[0]: b for b in _blocks(transcript)}
    assert by_text["Where"][1] == 2
    assert by_text["def retry(fn):"][4] and by_text["retry(load)"][4]
    assert by_text["The retry loop is in pkg/net.py:4."][2] > 0
    first, second = by_text["first step"][5], by_text["second step"][5]
    assert first[0] == second[0] and (first[1], second[1]) == (0, 1)
    # Copy links are numbered across the pieces, path:line references became links.
    assert _anchors(transcript) == _anchors(whole)
    assert f"copy:{turn.id}:0" in _anchors(transcript) and f"copy:{turn.id}:1" in _anchors(transcript)
    assert "open:pkg/net.py:4" in _anchors(transcript)


def test_a_replaced_final_text_is_rendered_again(qtbot):
    transcript, conversation, turn = _streaming_reply(qtbot, "q")
    _stream(transcript, conversation, turn, "first draft\n\nsecond part", step=4)
    turn.text, turn.finish = "a different answer", "stop"
    transcript.update_last(conversation, streaming=False)
    text = transcript.toPlainText()
    assert "a different answer" in text and "first draft" not in text


def test_sending_again_appends_without_rebuilding_earlier_turns(qtbot):
    transcript = ChatTranscript()
    qtbot.addWidget(transcript)
    conversation = Conversation()
    user = conversation.ask("one")
    conversation.add("assistant", "answer one", parent=user.id).finish = "stop"
    transcript.show_conversation(conversation)
    cursor = QTextCursor(transcript.document().find("answer one"))
    cursor.block().setUserState(7)
    second = conversation.ask("two")
    conversation.add("assistant", "", parent=second.id)
    transcript.show_conversation(conversation, streaming=True)
    assert transcript.document().find("answer one").block().userState() == 7
    assert transcript.toPlainText().count("answer one") == 1
    # A branch switch rebuilds: the old turn is drawn afresh.
    conversation.regenerate(conversation.leaf().id)
    transcript.show_conversation(conversation)
    assert transcript.document().find("answer one").block().userState() == -1


def test_the_footer_is_its_own_block_after_a_reply_ending_in_a_list(qtbot):
    transcript, conversation, turn = _streaming_reply(qtbot, "q")
    _stream(transcript, conversation, turn, "Steps:\n\n- one\n- two", step=3)
    turn.finish = "stop"
    transcript.update_last(conversation, streaming=False)
    footer = transcript.document().lastBlock()
    assert footer.text().endswith("Regenerate · Copy")
    assert footer.textList() is None
    assert footer.previous().textList() is not None


def test_a_reply_cut_for_repeating_itself_says_so(qtbot):
    transcript, conversation, turn = _streaming_reply(qtbot, "q")
    _stream(transcript, conversation, turn, "one sheep, " * 60, step=11)
    turn.finish = "repetition"
    transcript.update_last(conversation, streaming=False)
    assert "stopped: the model was repeating itself" in transcript.document().lastBlock().text()


LONG_CODE = (
    "Here is the file:\n\n```python\n"
    + "".join(f"def f{i}(x):\n    return x * {i}\n\n" for i in range(60))
    + "```\n\nAnd a second one:\n\n```js\nconst a = 1;\nconst b = 2;\n```\nDone.\n"
)


def test_a_long_code_block_grows_line_by_line_and_ends_as_a_whole_render(qtbot, monkeypatch):
    from app.ui import chat_transcript

    rendered: list[str] = []
    real = chat_transcript._insert_markdown

    def counting(cursor, markdown, *, dark):
        rendered.append(markdown)
        real(cursor, markdown, dark=dark)

    monkeypatch.setattr(chat_transcript, "_insert_markdown", counting)
    transcript, conversation, turn = _streaming_reply(qtbot, "write it")
    _stream(transcript, conversation, turn, LONG_CODE, step=9)
    # 180 code lines streamed in ~270 updates: the open block was rendered as Markdown a few
    # times (when it opened), not once per update.
    assert sum("def f30(x):" in m for m in rendered) <= 1
    assert transcript.toPlainText().rstrip().endswith("Done. ▍")
    turn.finish = "stop"
    transcript.update_last(conversation, streaming=False)

    whole = ChatTranscript()
    qtbot.addWidget(whole)
    whole.show_conversation(conversation)
    assert transcript.toPlainText() == whole.toPlainText()
    assert _blocks(transcript) == _blocks(whole)
    assert _anchors(transcript) == _anchors(whole)
    assert f"copy:{turn.id}:0" in _anchors(transcript) and f"copy:{turn.id}:1" in _anchors(transcript)
    # A line added to the open block is coloured like one rendered with it.
    grown = transcript.document().find("def f40(x):").block()
    assert grown.layout().formats() and len(grown.layout().formats()) == len(
        whole.document().find("def f40(x):").block().layout().formats()
    )
