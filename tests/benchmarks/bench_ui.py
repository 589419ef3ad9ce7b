"""UI responsiveness and start-up, each against a baseline measured in the same run.

    .venv/bin/python tests/benchmarks/bench_ui.py [--project DIR]

1. Start-up to a visible main window without a model (goal < 1.5 s), in a fresh process;
   baseline: a bare QApplication + QMainWindow in a fresh process.
2. Longest event-loop stall while indexing a large project on the pool (goal < 50 ms);
   baseline: the same idle event loop. Then the app's periodic full collection with that
   index loaded. Everything runs with the app's collector policy (app/ui/main_thread_gc.py).
3. Longest stall while a reply streams into the chat pane (goal < 50 ms): the real demo model's
   answer, and a long scripted Markdown reply (~45k characters: headings, lists, code). Each is
   measured twice in the same run: with the incremental transcript (finished Markdown blocks
   appended once, an open code block grown line by line, only the unfinished rest re-rendered)
   and with the baseline, the same
   transcript told that no block is ever finished, i.e. the whole reply re-rendered as Markdown
   on every 40 ms update (the renderer before incremental rendering). Runs alternate between
   the two and the median longest stall of each is shown (single runs vary by ±20 ms here).
4. Longest stall while typing into the editor with inline completion on (goal < 50 ms): each
   keystroke cancels the request in flight and, after the debounce, asks the completion model
   on its own thread (the installed completion model, else the tiny random-weight FIM GGUF the
   tests use); baseline: the same typing with completion off. `--completion-only` runs just this.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

STARTUP_APP = """
import time; t0 = time.perf_counter()
import sys; sys.argv = ['enclave']
from PySide6.QtWidgets import QApplication
from PySide6.QtTest import QTest
app = QApplication(sys.argv[:1])
from app.core.settings import Settings
from app.ui.app import EnclaveApp, collect_around
from app.ui.main_thread_gc import MainThreadGC
from app.ui.theme import apply_theme
collector = MainThreadGC(app)
apply_theme(app, 'system')
e = EnclaveApp(settings=Settings(), settings_path=None, load_model=False)
collect_around(collector, e.window)  # as run_app does before the window shows
e.window.show(); QTest.qWaitForWindowExposed(e.window)
print(time.perf_counter() - t0); e.worker.shutdown()
"""
STARTUP_BASE = """
import time; t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtTest import QTest
app = QApplication([]); w = QMainWindow(); w.resize(1360, 840); w.show(); QTest.qWaitForWindowExposed(w)
print(time.perf_counter() - t0)
"""


def startup(code: str, runs: int = 5) -> tuple[float, float]:
    """(median in-process seconds to exposed window, median whole-process wall seconds)."""
    inner, outer = [], []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "ENCLAVE_HOME": str(Path("/tmp") / "enclave-bench-home")},
        )
        outer.append(time.perf_counter() - started)
        inner.append(float(out.stdout.strip().splitlines()[-1]))
    inner.sort()
    outer.sort()
    return inner[len(inner) // 2], outer[len(outer) // 2]


class StallMeter:
    """Longest gap between 5 ms timer ticks on the UI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.worst = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last)
        self._last = now

    def start(self) -> None:
        self.worst, self._last = 0.0, time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return self.worst


def idle_stall(app, seconds: float) -> float:
    meter = StallMeter()
    meter.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    return meter.stop()


def indexing_stall(app, project: Path, collector) -> tuple[float, float, int, float]:
    from app.core.settings import Settings
    from app.ui.main_window import MainWindow
    from app.ui.model_worker import ModelWorker

    worker = ModelWorker()
    window = MainWindow(settings=Settings(), worker=worker, modal_errors=False)
    window.show()
    from app.ui.app import collect_around

    collect_around(collector, window)  # as run_app does once the window is built
    meter = StallMeter()
    meter.start()
    started = time.perf_counter()
    window.open_project(project)
    while window.indexing:
        app.processEvents()
        time.sleep(0.001)
    took = time.perf_counter() - started
    worst = meter.stop()
    # The app's collector walks the whole heap every two minutes on this thread: that pass,
    # with this index loaded, is a stall the user can meet at any time.
    full_started = time.perf_counter()
    gc.collect()
    full = time.perf_counter() - full_started
    files = window.status.index.text()
    window.indexer.stop(wait=True)
    worker.shutdown()
    dispose(window)
    count = int(files.split()[1].replace(",", "")) if files.startswith("Indexed") else 0
    return worst, took, count, full


def dispose(window) -> None:
    """Destroy `window` now, so its teardown does not land inside the next measurement."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.hide()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


class LongReplyModel:
    """Streams a long scripted Markdown reply in small pieces, as fast as a quick GPU would."""

    n_ctx = 32768

    def __init__(self, text: str, *, piece: int = 12, pause_s: float = 0.002) -> None:
        self.text, self.piece, self.pause_s = text, piece, pause_s
        self.info = None

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def chat(self, messages, *, sampling, cancel, **_):
        from app.core.runtime.generation import GenerationDone, GenerationStats, TextDelta

        pieces = [self.text[i : i + self.piece] for i in range(0, len(self.text), self.piece)]
        for piece in pieces:
            if cancel.wait(self.pause_s):
                break
            yield TextDelta(piece)
        stats = GenerationStats(
            prompt_tokens=10, cached_tokens=0, completion_tokens=len(pieces), ttft_s=0.0,
            tokens_per_s=0.0, total_s=0.0,
        )  # fmt: skip
        yield GenerationDone(finish_reason="stop", text=self.text, stats=stats)


def long_markdown() -> str:
    """~45k characters of the Markdown a long answer has: headings, paragraphs, lists, code."""
    para = "The keeper climbed the **stairs** at dusk; see pkg/net.py:12 and `retry()` for details. " * 4
    code = "```python\n" + "\n".join(f"def f{i}(x):\n    return x * {i}  # note" for i in range(30)) + "\n```"
    parts = [
        f"## Part {i}\n\n{para}\n\n- item a\n- item b\n\n{code if i % 4 == 0 else para}\n\n"
        for i in range(40)
    ]
    long_code = "\n".join(f"def g{i}(x):\n    return x + {i}" for i in range(150))
    return "".join(parts) + f"```python\n{long_code}\n```\n\nThat is all.\n"


def with_renderer(*, incremental: bool):
    """Context: the transcript as built, or the baseline that never marks a block finished."""
    from contextlib import contextmanager

    import app.ui.chat_transcript as transcript

    @contextmanager
    def patched():
        real, grow = transcript.finished_prefix, transcript.ChatTranscript._extend_open_code
        if not incremental:
            transcript.finished_prefix = lambda text, *, start=0: start
            transcript.ChatTranscript._extend_open_code = lambda self, stream, turn: False
        try:
            yield
        finally:
            transcript.finished_prefix = real
            transcript.ChatTranscript._extend_open_code = grow

    return patched()


def generation_stall(app, *, model=None, incremental: bool = True) -> tuple[float, int, int]:
    """(longest stall, tokens, characters) while `model` (default: the demo model) streams a reply."""
    from app.core.settings import Settings
    from app.core.store.demo import demo_model_path
    from app.ui.main_window import MainWindow
    from app.ui.model_worker import ModelWorker, model_loader

    worker = ModelWorker()
    window = MainWindow(settings=Settings(), worker=worker, modal_errors=False)
    window.show()
    if model is None:
        path = demo_model_path()
        if path is None:
            worker.shutdown()
            return float("nan"), 0, 0
        worker.load(model_loader(path, settings=Settings(n_ctx=2048, gpu="off")))
    else:
        worker.set_model(model)
    while not window.chat.input.isEnabled():
        app.processEvents()
        time.sleep(0.005)
    gc.collect()  # garbage of an earlier measurement is not this one's stall
    with with_renderer(incremental=incremental):
        meter = StallMeter()
        meter.start()
        window.chat.send("Write a long story about a lighthouse keeper, with many details.")
        while window.chat.busy:
            app.processEvents()
            time.sleep(0.001)
        worst = meter.stop()
    leaf = window.chat.conversation.leaf()
    tokens = getattr(leaf.stats, "completion_tokens", 0) if leaf else 0
    chars = len(leaf.text) if leaf else 0
    worker.shutdown()
    dispose(window)
    return worst, tokens, chars


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(sysconfig.get_paths()["purelib"])
    parser.add_argument("--project", type=Path, default=default, help="a large folder to index")
    parser.add_argument("--chat-only", action="store_true", help="only the streaming measurements")
    parser.add_argument("--rounds", type=int, default=3, help="streaming runs per renderer (median shown)")
    parser.add_argument(
        "--completion-only", action="store_true", help="only the typing-with-completion stall"
    )
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()}, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    app = QApplication.instance() or QApplication([])
    from app.ui.main_thread_gc import MainThreadGC

    # As run_app does: no automatic collection in whichever thread allocates, a timer on this one.
    collector = MainThreadGC(app)
    if args.completion_only:
        idle = idle_stall(app, 2.0)
        print(f"idle event loop, longest stall: {idle * 1000:.1f} ms (baseline)")
        completion_stalls(app, idle)
        return 0
    if args.chat_only:
        idle = idle_stall(app, 2.0)
        print(f"idle event loop, longest stall: {idle * 1000:.1f} ms (baseline)")
        chat_stalls(app, idle, rounds=args.rounds)
        return 0
    app_in, app_out = startup(STARTUP_APP)
    base_in, base_out = startup(STARTUP_BASE)
    print(
        f"start-up to visible window (no model): {app_in * 1000:.0f} ms in-process, {app_out * 1000:.0f} ms "
        f"whole process | baseline bare QMainWindow: {base_in * 1000:.0f} ms / {base_out * 1000:.0f} ms | "
        f"ratio {app_out / base_out:.2f}x (goal < 1500 ms)"
    )
    idle = idle_stall(app, 2.0)
    print(f"idle event loop, longest stall: {idle * 1000:.1f} ms (baseline)")
    worst, took, files, full = indexing_stall(app, args.project.resolve(), collector)
    print(
        f"indexing {args.project} ({files:,} files in {took:.1f} s): longest stall {worst * 1000:.1f} ms | "
        f"{worst / idle:.1f}x idle (goal < 50 ms); the periodic full collection with it loaded: "
        f"{full * 1000:.1f} ms"
    )
    chat_stalls(app, idle, rounds=args.rounds)
    completion_stalls(app, idle)
    return 0


def chat_stalls(app, idle: float, *, rounds: int) -> None:
    """Streaming stalls, incremental vs baseline (interleaved, median of `rounds`), per reply kind."""
    for label, model in (
        ("the demo model", None),
        ("a long scripted reply", LongReplyModel(long_markdown())),
    ):
        base_runs, runs = [], []
        for _ in range(rounds):
            base_runs.append(generation_stall(app, model=model, incremental=False)[0])
            worst, tokens, chars = generation_stall(app, model=model, incremental=True)
            runs.append(worst)
        base, worst = statistics.median(base_runs), statistics.median(runs)
        print(
            f"streaming {tokens} tokens ({chars:,} chars) from {label} into the chat, median of {rounds}: "
            f"longest stall {worst * 1000:.1f} ms incremental (runs: {_ms(runs)}) | baseline whole-reply "
            f"re-render {base * 1000:.1f} ms (runs: {_ms(base_runs)}) | {worst / base:.2f}x baseline, "
            f"{worst / idle:.1f}x idle (goal < 50 ms)"
        )


def completion_stall(app, *, on: bool, model: Path, keys: int = 60) -> tuple[float, float, int, int]:
    """Longest stalls while typing `keys` characters into a real file and while asking at 20 places.

    Returns (typing stall, requests-only stall, requests answered, ghost texts shown).
    """
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.core.settings import Settings
    from app.ui.main_window import MainWindow
    from app.ui.model_worker import ModelWorker

    worker = ModelWorker()
    window = MainWindow(settings=Settings(completion_model=str(model), completion=on), worker=worker)
    window.show()
    page = window.editors.open_file(REPO / "app" / "ui" / "main_window.py")
    assert page is not None
    runner = window.completion
    deadline = time.perf_counter() + 120  # the first load of a model probes it in a child first
    while on and runner.state()[0].startswith("Completion: loading") and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.005)
    answered, shown = [], []
    runner.request_finished.connect(answered.append)
    runner.completion_shown.connect(shown.append)
    editor = page.editor
    cursor = editor.textCursor()
    source = editor.toPlainText()
    cursor.setPosition(source.index("\n", source.index("        self.status = ")))  # that line's end
    cursor.insertText("\n        ")  # a fresh line, nothing right of the cursor
    editor.setTextCursor(cursor)
    gc.collect()
    meter = StallMeter()
    meter.start()
    text = "self.completion_probe = CompletionProbe(window, settings=settings, depth=3)  "
    for i in range(keys):
        QTest.keyClick(editor, text[i % len(text)])
        end = time.perf_counter() + (0.35 if i % 5 == 4 else 0.06)  # bursts of typing, then a pause
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
    typing = meter.stop()
    # Requests alone, no edits: Alt+\ at the ends of 20 lines, each answer awaited.
    meter.start()
    lines = editor.toPlainText().split("\n")
    for line in range(40, 240, 10):
        cursor.setPosition(sum(len(t) + 1 for t in lines[:line]) + len(lines[line]))
        editor.setTextCursor(cursor)
        before = len(answered)
        QTest.keyClick(editor, Qt.Key.Key_Backslash, Qt.KeyboardModifier.AltModifier)
        end = time.perf_counter() + 2.0
        while time.perf_counter() < end and (
            len(answered) == before if on else time.perf_counter() < end - 1.9
        ):
            app.processEvents()
            time.sleep(0.001)
    requests = meter.stop()
    editor.document().setModified(False)
    state = runner.state()[0]
    runner.shutdown()
    worker.shutdown()
    dispose(window)
    print(f"  ({'on' if on else 'off'}: {state})")
    return typing, requests, len(answered), len(shown)


def completion_model() -> tuple[Path, str]:
    """The installed completion model, else the tests' tiny FIM GGUF (written to a temp folder)."""
    from app.core import services
    from app.core.errors import EnclaveError
    from app.core.settings import Settings

    try:
        path = services.completion_model_path(None, settings=Settings())
        return path, path.name
    except EnclaveError:
        import tempfile

        from tests.support.tiny_gguf import write_tiny_qwen

        folder = Path(tempfile.mkdtemp(prefix="enclave-bench-"))
        path = write_tiny_qwen(
            folder / "tiny-coder-fim.gguf", arch="qwen2", fim=True, name="tiny-qwen2.5-coder"
        )
        return path, "the tiny random-weight FIM GGUF (no completion model installed)"


def completion_stalls(app, idle: float) -> None:
    """Typing with completion on vs off, each measured once in this run."""
    model, label = completion_model()
    base_typing, base_requests, _, _ = completion_stall(app, on=False, model=model)
    typing, requests, answered, shown = completion_stall(app, on=True, model=model)
    print(
        f"inline completion from {label}, in app/ui/main_window.py ({answered} requests answered, {shown} "
        f"ghost texts shown):\n  typing 60 keys: longest stall {typing * 1000:.1f} ms | baseline completion "
        f"off {base_typing * 1000:.1f} ms | {typing / base_typing:.2f}x baseline\n  Alt+\\ at 20 places, "
        f"no edits: longest stall {requests * 1000:.1f} ms | baseline completion off "
        f"{base_requests * 1000:.1f} ms | {requests / idle:.1f}x idle (goal < 50 ms)"
    )


def _ms(values: list[float]) -> str:
    return ", ".join(f"{v * 1000:.0f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
