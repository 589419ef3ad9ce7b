"""Ctrl-C ends `enclave index` within a second, with exit status 130 and no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _generated_project(root: Path, *, files: int) -> Path:
    for i in range(files):
        body = "".join(
            f"def func_{i}_{j}(a, b):\n    '''Doc {j}.'''\n    return helper_{j}(a) + other_{i}(b)\n\n\n"
            f"class C{i}_{j}:\n    def m(self):\n        return func_{i}_{j}(1, 2)\n\n\n"
            for j in range(20)
        )
        folder = root / f"pkg{i % 40}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{i}.py").write_text(body)
    return root


def _interrupt(args: list[str], *, marker: str, settle_s: float) -> tuple[int, float, str]:
    """Start `python -m app --debug ARGS`, Ctrl-C it `settle_s` after `marker` appears on stderr.

    The signal goes to the whole process group, as a terminal's Ctrl-C does (workers included).
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--debug", *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stderr is not None
    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if marker in line:
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert seen.wait(60), "the work never started:\n" + "".join(lines)
        time.sleep(settle_s)
        assert proc.poll() is None, "it finished before the signal:\n" + "".join(lines)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        rc = proc.wait(timeout=30)
        latency = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    reader.join(5)
    return rc, latency, "".join(lines)


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_ctrl_c_ends_a_big_index_build_in_worker_processes(tmp_path: Path) -> None:
    # ~8 MB of source: parsed by a worker pool, for several seconds on a 2-core machine.
    root = _generated_project(tmp_path / "big", files=2000)
    rc, latency, err = _interrupt(["index", str(root)], marker="parser pool:", settle_s=1.0)
    assert rc == 130, err
    assert latency < 1.0, err
    assert "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
@pytest.mark.parametrize("workers", ["1", "2"], ids=["in-process", "worker-processes"])
def test_ctrl_c_does_not_wait_for_a_hostile_file(tmp_path: Path, workers: str) -> None:
    # A file whose tag query would run for minutes; its budget alone would take ~5 s. With
    # 1,500 other files the project passes the 4 MB over which a build uses worker processes.
    root = _generated_project(tmp_path / "project", files=20 if workers == "1" else 1500)
    (root / "nested.py").write_text("x = " + "[\n" * 480_000)
    marker = "in a child process" if workers == "1" else "parser pool:"
    rc, latency, err = _interrupt(["index", str(root), "--workers", workers], marker=marker, settle_s=1.0)
    assert rc == 130, err
    assert latency < 1.0, err
    assert "Traceback" not in err
