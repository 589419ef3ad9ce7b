"""The adaptive debounce: a fast typist waits less, a likely place waits less, always 100-400 ms."""

from __future__ import annotations

from app.ui.completion_debounce import MAX_MS, MIN_MS, AdaptiveDebounce

MID_WORD = (False, False)
AFTER_SYMBOL_AT_LINE_END = (True, True)


def _typed(debounce: AdaptiveDebounce, *, every_s: float, keys: int) -> None:
    for i in range(keys):
        debounce.keystroke(i * every_s)


def test_before_enough_keystrokes_the_base_is_200_ms_scaled_by_the_place() -> None:
    debounce = AdaptiveDebounce()
    _typed(debounce, every_s=0.05, keys=5)  # too few to judge the rhythm
    assert debounce.delay_ms(MID_WORD) == MAX_MS  # 3.0 x 200, clamped
    assert debounce.delay_ms(AFTER_SYMBOL_AT_LINE_END) == 330  # 1.65 x 200


def test_a_fast_typist_waits_less_than_a_slow_one() -> None:
    fast, slow = AdaptiveDebounce(), AdaptiveDebounce()
    _typed(fast, every_s=0.06, keys=40)
    _typed(slow, every_s=0.2, keys=40)
    assert fast.delay_ms(AFTER_SYMBOL_AT_LINE_END) == 100  # 1.65 x 60 ms, raised to the floor
    assert slow.delay_ms(AFTER_SYMBOL_AT_LINE_END) == 330
    assert fast.delay_ms(MID_WORD) == 180 < slow.delay_ms(MID_WORD) == MAX_MS


def test_pauses_do_not_count_as_rhythm_and_slow_answers_shorten_the_wait() -> None:
    debounce = AdaptiveDebounce()
    _typed(debounce, every_s=0.1, keys=30)
    debounce.keystroke(100.0)  # a long pause: not an interval
    assert debounce.delay_ms(AFTER_SYMBOL_AT_LINE_END) == MIN_MS + 65  # 1.65 x 100
    debounce.answered(0.05)
    assert debounce.delay_ms(AFTER_SYMBOL_AT_LINE_END) == 115  # 165 - 50 ms the model takes
    debounce.answered(0.5)
    debounce.answered(0.5)
    assert debounce.delay_ms(AFTER_SYMBOL_AT_LINE_END) == MIN_MS
