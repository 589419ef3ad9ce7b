from __future__ import annotations

import queue
import threading
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.index import FileChanged, ProjectIndex


def test_watch_reindexes_a_saved_file(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    token = CancelToken()
    seen: queue.Queue[FileChanged] = queue.Queue()
    ready = threading.Event()

    def follow() -> None:
        events = index.watch(cancel=token, debounce_s=0.05)
        ready.set()
        for event in events:
            seen.put(event)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    ready.wait(5)
    try:
        # The observer starts inside the generator; keep saving until it reports.
        event = None
        for attempt in range(50):
            (shop / "shop" / "fresh.py").write_text(f"def fresh_{attempt}():\n    pass\n")
            try:
                event = seen.get(timeout=0.2)
                break
            except queue.Empty:
                continue
        assert event is not None
        assert event.path == "shop/fresh.py"
        assert event.change in ("added", "modified")
        while True:
            try:
                seen.get(timeout=0.3)
            except queue.Empty:
                break
        assert next(s.name for s in index.symbols("shop/fresh.py")).startswith("fresh_")
    finally:
        token.cancel()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_a_file_saved_before_the_watch_starts_is_not_missed(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    # Saved after the build's walk but before any observer exists (the UI starts the
    # watch a moment after the build): the watch's first step catches up on it.
    (shop / "shop" / "between.py").write_text("def between():\n    pass\n")
    token = CancelToken()
    events = index.watch(cancel=token, debounce_s=0.05)
    try:
        first = next(events)
    finally:
        token.cancel()
        events.close()
    assert (first.path, first.change) == ("shop/between.py", "added")
    assert [s.name for s in index.symbols("shop/between.py")] == ["between"]
