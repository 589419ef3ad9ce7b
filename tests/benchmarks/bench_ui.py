"""UI responsiveness and start-up, each against a baseline measured in the same run.

    .venv/bin/python tests/benchmarks/bench_ui.py [--project DIR]

1. Start-up to a visible main window without a model (goal < 1.5 s), in a fresh process;
   baseline: a bare QApplication + QMainWindow in a fresh process.
2. Longest event-loop stall while indexing a large project on the pool (goal < 50 ms);
   baseline: the same idle event loop.
3. Longest stall while the real demo model streams an answer into the chat pane (goal < 50 ms).
"""

from __future__ import annotations

import argparse
import os
import platform
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
from app.ui.app import EnclaveApp
from app.ui.theme import apply_theme
apply_theme(app, 'system')
e = EnclaveApp(settings=Settings(), settings_path=None, load_model=False)
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


def indexing_stall(app, project: Path) -> tuple[float, float, int]:
    from app.core.settings import Settings
    from app.ui.main_window import MainWindow
    from app.ui.model_worker import ModelWorker

    worker = ModelWorker()
    window = MainWindow(settings=Settings(), worker=worker, modal_errors=False)
    window.show()
    meter = StallMeter()
    meter.start()
    started = time.perf_counter()
    window.open_project(project)
    while window.indexing:
        app.processEvents()
        time.sleep(0.001)
    took = time.perf_counter() - started
    worst = meter.stop()
    files = window.status.index.text()
    window.indexer.stop(wait=True)
    worker.shutdown()
    window.deleteLater()
    return worst, took, int(files.split()[1].replace(",", "")) if files.startswith("Indexed") else 0


def generation_stall(app) -> tuple[float, int]:
    from app.core.settings import Settings
    from app.core.store.demo import demo_model_path
    from app.ui.main_window import MainWindow
    from app.ui.model_worker import ModelWorker, local_model_loader

    path = demo_model_path()
    if path is None:
        return float("nan"), 0
    worker = ModelWorker()
    window = MainWindow(settings=Settings(), worker=worker, modal_errors=False)
    window.show()
    worker.load(local_model_loader(path, n_ctx=2048, n_threads=0, gpu="off"))
    while not window.chat.input.isEnabled():
        app.processEvents()
        time.sleep(0.005)
    meter = StallMeter()
    meter.start()
    window.chat.send("Write a long story about a lighthouse keeper, with many details.")
    while window.chat.busy:
        app.processEvents()
        time.sleep(0.001)
    worst = meter.stop()
    leaf = window.chat.conversation.leaf()
    tokens = getattr(leaf.stats, "completion_tokens", 0) if leaf else 0
    worker.shutdown()
    window.deleteLater()
    return worst, tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(sysconfig.get_paths()["purelib"])
    parser.add_argument("--project", type=Path, default=default, help="a large folder to index")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()}, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    app_in, app_out = startup(STARTUP_APP)
    base_in, base_out = startup(STARTUP_BASE)
    print(
        f"start-up to visible window (no model): {app_in * 1000:.0f} ms in-process, {app_out * 1000:.0f} ms "
        f"whole process | baseline bare QMainWindow: {base_in * 1000:.0f} ms / {base_out * 1000:.0f} ms | "
        f"ratio {app_out / base_out:.2f}x (goal < 1500 ms)"
    )
    app = QApplication.instance() or QApplication([])
    idle = idle_stall(app, 2.0)
    print(f"idle event loop, longest stall: {idle * 1000:.1f} ms (baseline)")
    worst, took, files = indexing_stall(app, args.project.resolve())
    print(
        f"indexing {args.project} ({files:,} files in {took:.1f} s): longest stall {worst * 1000:.1f} ms | "
        f"{worst / idle:.1f}x idle (goal < 50 ms)"
    )
    worst, tokens = generation_stall(app)
    print(
        f"streaming {tokens} tokens from the demo model into the chat: longest stall {worst * 1000:.1f} ms | "
        f"{worst / idle:.1f}x idle (goal < 50 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
