"""Incremental rendering of a streamed reply: finished blocks are written once, the rest re-rendered."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor

from app.ui.chat_markdown import finished_prefix
from app.ui.chat_transcript import ChatTranscript
from app.ui.conversation import Conversation

REPLY = (
    "## Where\n\nThe retry loop is in pkg/net.py:4.\n\n"
    "- it tries three times\n- it sleeps between tries\n\n"
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


def test_streamed_reply_matches_a_whole_render_and_keeps_finished_blocks(qtbot):
    transcript = ChatTranscript()
    qtbot.addWidget(transcript)
    conversation = Conversation()
    user = conversation.ask("where is the retry?")
    turn = conversation.add("assistant", "", parent=user.id)
    transcript.show_conversation(conversation, streaming=True)

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
    assert "▍" not in transcript.toPlainText()
    # Copy links are numbered across the pieces, path:line references became links.
    assert _anchors(transcript) == _anchors(whole)
    assert f"copy:{turn.id}:0" in _anchors(transcript) and f"copy:{turn.id}:1" in _anchors(transcript)
    assert "open:pkg/net.py:4" in _anchors(transcript)


def test_a_replaced_final_text_is_rendered_again(qtbot):
    transcript = ChatTranscript()
    qtbot.addWidget(transcript)
    conversation = Conversation()
    user = conversation.ask("q")
    turn = conversation.add("assistant", "", parent=user.id)
    transcript.show_conversation(conversation, streaming=True)
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
