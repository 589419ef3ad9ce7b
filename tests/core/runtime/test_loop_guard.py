"""A reply stuck repeating one passage is noticed; repetition in real code is not."""

from __future__ import annotations

from app.core.runtime.loop_guard import LoopGuard, looping


def feed_in_pieces(text: str, size: int = 5) -> int | None:
    guard = LoopGuard()
    for start in range(0, len(text), size):
        if guard.feed(text[start : start + size]):
            return start + size
    return None


def test_a_sentence_on_repeat_is_caught_soon_after_600_characters() -> None:
    sentence = "The retry logic is implemented in the calc.py function's retry logic.\n"
    fired_at = feed_in_pieces("Sure. " + sentence * 30)
    assert fired_at is not None
    assert 600 <= fired_at <= 600 + len(sentence) + 40


def test_short_and_long_periods_are_both_caught() -> None:
    assert looping("x" * 20 + "one sheep, " * 60)
    passage = "".join(f"word{i} " for i in range(50))  # ~340 characters
    assert looping("intro " + passage * 3)


def test_repeated_lines_in_real_code_do_not_trip_it() -> None:
    code = "class A:\n" + "    def f(self):\n        pass\n\n" * 12  # 12 identical stubs
    assert feed_in_pieces(code) is None
    table = "| a | b |\n" + "|---|---|\n" + "".join(f"| {i} | {i * i} |\n" for i in range(200))
    assert feed_in_pieces(table) is None
    numbered = "".join(f"    assert parse('x{i}') == {i}\n" for i in range(100))
    assert feed_in_pieces(numbered) is None


def test_short_repeats_below_the_span_are_fine() -> None:
    assert not looping("Hello! " * 20)  # 140 characters
