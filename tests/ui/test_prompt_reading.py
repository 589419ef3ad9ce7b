"""While the model reads a long prompt, the chat says how far it got and the gauge follows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from app.core.runtime.generation import GenerationDone, GenerationStats, PromptRead, TextDelta
from tests.ui.helpers import main_window


class SlowReader:
    """Reads a 1,200-token prompt in two batches, pausing after the first until told to go on."""

    n_ctx = 8192

    def __init__(self) -> None:
        self.go_on = threading.Event()

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def prefill(self, messages: Any, **_kw: Any) -> int:
        return 0

    def chat(self, messages: Any, **_kw: Any) -> Iterator[object]:
        yield PromptRead(600, 1200, 1300)
        self.go_on.wait(10)
        yield PromptRead(1200, 1200, 1300)
        yield TextDelta("done reading")
        stats = GenerationStats(1300, 100, 2, 1.0, 10.0, 1.2)
        yield GenerationDone("stop", "done reading", stats, (1, 2))


def test_the_chat_shows_prompt_reading_progress_then_the_answer(qtbot):
    model = SlowReader()
    with main_window(qtbot, model=model) as w:
        w.chat.input.setPlainText("summarise the project")
        w.chat.send(w.chat.input.toPlainText())
        qtbot.waitUntil(lambda: w.chat.speed.text().startswith("Reading"), timeout=5000)
        assert w.chat.speed.text() == "Reading 1,200 tokens… 50%"
        assert w.chat.gauge.value() == 700  # 100 cached + 600 read so far
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            model.go_on.set()
        assert "done reading" in w.chat.transcript.toPlainText()
        assert not w.chat.speed.text().startswith("Reading")
