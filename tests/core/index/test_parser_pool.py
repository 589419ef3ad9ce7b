"""The parser pool: start method choice, batching, and builds that parse only in workers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.core.index import ProjectIndex, parser_pool
from app.core.index.parse import FileJob

REPO = Path(__file__).resolve().parents[3]


def job(name: str, size: int) -> FileJob:
    return (name, f"/x/{name}", size, 0)


def test_batches_put_big_files_first_and_cap_files_and_bytes() -> None:
    jobs = [job(f"s{i}.py", 1_000) for i in range(60)] + [job("huge.py", 3_000_000), job("big.py", 600_000)]
    batches = parser_pool.batches(jobs)
    assert batches[0] == [job("huge.py", 3_000_000)]  # alone: over the byte cap by itself
    assert batches[1][0] == job("big.py", 600_000)
    assert all(len(b) <= parser_pool.BATCH_FILES for b in batches)
    assert all(sum(j[2] for j in b) <= parser_pool.BATCH_BYTES for b in batches[1:])
    assert sorted(j for b in batches for j in b) == sorted(jobs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is only chosen on Linux")
def test_a_script_with_one_thread_forks_its_workers() -> None:
    # Importing the index must not start a thread (numpy's BLAS does: it is imported later).
    code = (
        "import app.core.index.project_index as m, app.core.index.parser_pool as p; print(p.start_method())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "fork"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is only chosen on Linux")
def test_fork_only_when_no_other_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parser_pool.start_method() == "spawn"
    finally:
        stop.set()
        other.join()


def test_background_build_parses_in_workers_and_matches_a_serial_build(shop: Path) -> None:
    serial = ProjectIndex.open(shop, workers=1)
    # A small project and one worker: in-process unless the build runs in the background.
    background = ProjectIndex.open(shop, workers=1, background=True)
    assert background.stats is not None and background.stats.workers == 1
    assert background.files() == serial.files()
    assert background.symbols() == serial.symbols()
    assert background.repo_map(tokens=300) == serial.repo_map(tokens=300)


def test_background_build_uses_a_pool_even_for_a_small_project(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real = parser_pool.ParserPool.__init__

    def counting(self: parser_pool.ParserPool, workers: int, **kw: int) -> None:
        started.append(kw.get("niceness", 0))
        real(self, workers, **kw)

    monkeypatch.setattr(parser_pool.ParserPool, "__init__", counting)
    ProjectIndex.open(shop, workers=2)
    assert started == []  # under the size threshold: parsed in-process
    ProjectIndex.open(shop, workers=2, background=True)
    assert len(started) == 1 and started[0] > 0  # workers at a lower priority


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities here")
def test_background_workers_run_at_a_lower_priority() -> None:
    with parser_pool.ParserPool(1, niceness=10) as pool:
        niceness = pool._executor.submit(os.getpriority, os.PRIO_PROCESS, 0).result(timeout=60)
    assert niceness >= 10
    with parser_pool.ParserPool(1) as pool:
        assert pool._executor.submit(os.getpriority, os.PRIO_PROCESS, 0).result(timeout=60) == os.getpriority(
            os.PRIO_PROCESS, 0
        )
