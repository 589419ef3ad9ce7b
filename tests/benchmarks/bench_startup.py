"""Time to a shown window: the frozen bundle against the source-tree app, in one run.

    .venv/bin/python tests/benchmarks/bench_startup.py [--rounds N]

Each round starts both (order alternating) with `--screenshot OUT.png --no-model` on the
offscreen platform: the process exits once the window was shown, laid out and grabbed, so
its wall time is the time to a visible window (plus the grab, the same for both). Prints
the medians and the frozen/source ratio (goal <= 1.2), and the bundle's sizes.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FROZEN = REPO / "dist" / "Enclave" / "enclave"


def start(argv: list[str], *, home: str) -> float:
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ENCLAVE_HOME": home}
        began = time.perf_counter()
        subprocess.run(
            [*argv, "--screenshot", f"{out}/shot.png", "--no-model"], env=env, check=True, capture_output=True
        )
        return time.perf_counter() - began


def main() -> int:
    """Interleaved rounds; medians, the ratio and the sizes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not FROZEN.is_file():
        print("build the bundle first: bash packaging/build.sh")
        return 1
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    runs: dict[str, list[float]] = {"source": [], "frozen": []}
    commands = {"source": [sys.executable, "-m", "app"], "frozen": [str(FROZEN)]}
    with tempfile.TemporaryDirectory() as home:
        for name in commands:  # one warm-up each: the page cache, not the first read, is measured
            start(commands[name], home=home)
        for n in range(args.rounds):
            for name in ("source", "frozen") if n % 2 == 0 else ("frozen", "source"):
                runs[name].append(start(commands[name], home=home))
    source, frozen = statistics.median(runs["source"]), statistics.median(runs["frozen"])
    print(f"source-tree app: median {source:.2f} s to a shown window ({args.rounds} runs)")
    print(f"frozen bundle:   median {frozen:.2f} s")
    print(f"ratio frozen/source: {frozen / source:.2f} (goal <= 1.2)")
    size = sum(p.lstat().st_size for p in FROZEN.parent.rglob("*") if p.is_file() and not p.is_symlink())
    tarballs = sorted((REPO / "dist").glob("Enclave-*.tar.gz"))
    print(
        f"onedir: {size / 2**20:.0f} MiB"
        + (f"; tarball: {tarballs[-1].stat().st_size / 2**20:.0f} MiB" if tarballs else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
