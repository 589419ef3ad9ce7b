"""Half-seen markers are held back, for stop strings and for the hidden tool-call tags alike."""

from __future__ import annotations

from app.core.agent.generate import VisibleText
from app.core.runtime.holdback import partial_tail
from app.core.runtime.local_model import _StopMatcher


def test_only_a_tail_that_can_still_become_a_marker_is_held() -> None:
    assert partial_tail("text <tool_", ["<tool_call>"]) == 6
    assert partial_tail("text <", ["<tool_call>", "<|im_end|>"]) == 1
    assert partial_tail("text <x", ["<tool_call>"]) == 0
    assert partial_tail("anything", []) == 0


def test_a_stop_string_split_across_tokens_never_shows_its_start() -> None:
    stopper = _StopMatcher(["</answer>"])
    assert stopper.feed("The sum is 3.</ans") == ("The sum is 3.", False)
    assert stopper.feed("wer> more") == ("", True)
    stopper = _StopMatcher(["</answer>"])
    assert stopper.feed("a </an") == ("a ", False)
    assert stopper.feed("d b") == ("</and b", False)  # not a stop after all: shown whole


def test_a_tool_call_split_across_tokens_is_hidden_whole() -> None:
    visible = VisibleText()
    pieces = ["Looking <to", "ol_call>", '{"name": "read"}</tool', "_call> done", " <"]
    shown = "".join(visible.feed(p) for p in pieces)
    assert shown == "Looking  done "
    assert visible.flush() == "<"
