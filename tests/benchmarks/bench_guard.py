"""Network guard benchmark: what the audit hook costs, against the same work without it.

    .venv/bin/python tests/benchmarks/bench_guard.py [--repeats R]

Prints, measured in fresh child interpreters in this run:
1. startup: the CLI's own start (import app.cli, build the parser) with the guard installed
   first vs without (goal: ratio <= 1.05);
2. file-heavy work (the index's walk-and-read pattern: scandir, stat, open, read over the
   source tree) with the hook installed vs without (goal: ratio <= 1.05);
3. loopback connects (every one goes through the hook's address check) with vs without.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

STARTUP = """
import sys, time
t0 = time.perf_counter()
if sys.argv[1] == "guard":
    from app.core.privacy import guard
    guard.install()
import app.cli
app.cli.build_parser()
print(time.perf_counter() - t0)
"""

FILES = """
import os, sys, time
if sys.argv[1] == "guard":
    from app.core.privacy import guard
    guard.install()
roots = [os.path.join(sys.argv[2], d) for d in ("app", "tests", "resources")]
t0 = time.perf_counter()
for _ in range(3):
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in filenames:
                path = os.path.join(dirpath, name)
                os.stat(path)
                with open(path, "rb") as fh:
                    fh.read(65536)
print(time.perf_counter() - t0)
"""

SOCKETS = """
import socket, sys, threading, time
if sys.argv[1] == "guard":
    from app.core.privacy import guard
    guard.install()
server = socket.create_server(("127.0.0.1", 0), backlog=512)
port = server.getsockname()[1]
def accept():
    while True:
        conn, _ = server.accept()
        conn.close()
threading.Thread(target=accept, daemon=True).start()
t0 = time.perf_counter()
for _ in range(2000):
    socket.create_connection(("127.0.0.1", port)).close()
print(time.perf_counter() - t0)
"""


def child(code: str, *args: str) -> float:
    """Run `code` in a fresh interpreter and return the seconds it printed."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def paired(code: str, repeats: int) -> tuple[float, float]:
    """Median seconds without and with the guard, runs interleaved so load drifts hit both."""
    plain, guarded = [], []
    for _ in range(repeats):
        plain.append(child(code, "plain", str(REPO)))
        guarded.append(child(code, "guard", str(REPO)))
    return statistics.median(plain), statistics.median(guarded)


def main() -> int:
    """Run the three measurements and print ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    ns = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {platform.system()}")  # fmt: skip

    plain, guarded = paired(STARTUP, ns.repeats)
    print(f"CLI startup: {plain * 1000:.1f} ms plain, {guarded * 1000:.1f} ms guarded, "
          f"ratio {guarded / plain:.3f}")  # fmt: skip

    plain, guarded = paired(FILES, ns.repeats)
    print(f"file walk+read: {plain * 1000:.0f} ms plain, {guarded * 1000:.0f} ms guarded, "
          f"ratio {guarded / plain:.3f}")  # fmt: skip

    plain, guarded = paired(SOCKETS, ns.repeats)
    print(f"2000 loopback connects: {plain * 1000:.0f} ms plain, {guarded * 1000:.0f} ms guarded, "
          f"ratio {guarded / plain:.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
