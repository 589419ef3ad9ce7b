"""Before a model is first used in-process: load and decode it in a child, falling back to safer settings.

A crash in native code takes the whole app down, and some crashes come only with the first
decode (llama.cpp's AMX weight repacking on some Intel CPUs, ggml-org/llama.cpp#20824), so
a load-only check is not enough. The child loads the model with the settings the app wants,
reads a short prompt and generates a few tokens. When it dies, the next safer settings are
tried (see `load_settings.fallbacks`); the first set that works is remembered by model
sha256, llama.cpp build and CPU (`probe_cache`), so this runs once.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, ModelLoadError
from app.core.runtime import probe_cache
from app.core.runtime.load_settings import LoadSettings, describe_off, fallbacks
from app.core.runtime.probe_cache import ProbeRecord

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 300.0
PROBE_CHILD_FLAG = "--probe-child"  # how a frozen executable is told to be the probe child
_ASSERT = re.compile(r"(GGML_ASSERT\([^\n]*?\) failed|GGML_ABORT[^\n]*)")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ChildOutcome:
    """How one probe child ended."""

    ok: bool
    crashed: bool  # died by a signal or an abort: worth retrying with safer settings
    message: str  # for the user: what happened


@dataclass(frozen=True)
class SafeLoad:
    """The settings to load a model with, and the note to show when something had to be turned off."""

    settings: LoadSettings
    turned_off: tuple[str, ...]
    note: str  # "" when the wanted settings work
    probed_s: float  # 0 when the answer came from the cache


def safe_settings(
    path: Path,
    wanted: LoadSettings,
    *,
    sha256: str | None = None,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    timeout: float = PROBE_TIMEOUT_S,
) -> SafeLoad:
    """The settings that load and decode `path` without crashing, probing in a child the first time.

    Raises:
        ModelLoadError: every setting crashed, or llama.cpp cannot load the file at all.
        Cancelled: `cancel` was set (the child is killed, nothing is remembered).

    """
    cancel = cancel or CancelToken()
    sha256 = sha256 or probe_cache.known_sha256(path)
    if sha256 is None:
        if progress:
            progress(f"Checking {path.name}: hashing it (once)…")
        try:
            sha256 = probe_cache.file_sha256(path, cancel=cancel)
        except OSError as exc:
            raise ModelLoadError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    key = probe_cache.probe_key(sha256, wanted)
    known = probe_cache.load_record(key)
    if known is not None:
        return SafeLoad(known.settings, known.turned_off, describe_off(known.turned_off, why=known.why), 0.0)
    started = time.perf_counter()
    first_crash = ""
    steps = fallbacks(wanted)
    for number, step in enumerate(steps, start=1):
        if progress:
            doing = (
                "first use on this machine"
                if number == 1
                else f"safer settings, try {number} of {len(steps)}"
            )
            progress(f"Checking {path.name} ({doing})…")
        outcome = run_child(path, step.settings, cancel=cancel, timeout=timeout)
        if outcome.ok:
            why = f"it crashed this CPU's llama.cpp build ({first_crash})" if first_crash else ""
            record = ProbeRecord(step.settings, step.turned_off, why)
            probe_cache.save_record(key, record)
            elapsed = time.perf_counter() - started
            logger.info("probe ok after %d try(s) in %.2f s; off: %s", number, elapsed, step.turned_off)
            return SafeLoad(step.settings, step.turned_off, describe_off(step.turned_off, why=why), elapsed)
        if not outcome.crashed and step.settings.n_gpu_layers == 0:
            # A clean refusal (a bad file, not enough memory) will not change with these settings.
            raise ModelLoadError(f"{path.name}: llama.cpp cannot load it ({outcome.message})")
        first_crash = first_crash or outcome.message
        logger.warning("probe try %d failed (%s); trying safer settings", number, outcome.message)
    raise ModelLoadError(
        f"{path.name}: llama.cpp crashed with every setting tried ({first_crash}); "
        "this build cannot run it on this machine"
    )


def probe_command(model: Path, settings: LoadSettings) -> list[str]:
    """The child's command line: this interpreter running `probe_child` on `model`."""
    child = [str(model), json.dumps(settings.as_dict(), sort_keys=True)]
    if getattr(sys, "frozen", False):
        # A frozen app has no interpreter to run `-m` with: its own executable runs the child.
        return [sys.executable, PROBE_CHILD_FLAG, *child]
    return [sys.executable, "-m", "app.core.runtime.probe_child", *child]


def run_child(path: Path, settings: LoadSettings, *, cancel: CancelToken, timeout: float) -> ChildOutcome:
    """Run one probe child and say how it ended.

    Raises:
        Cancelled: `cancel` was set (the child is killed).

    """
    env = dict(os.environ)
    env["GGML_NO_BACKTRACE"] = "1"  # ggml would otherwise attach gdb to print a backtrace on abort
    proc = subprocess.Popen(
        probe_command(path, settings),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        # Its own session: a Ctrl-C in the terminal reaches the parent, which decides.
        start_new_session=os.name != "nt",
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            out, err = proc.communicate(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            if cancel.cancelled or time.monotonic() > deadline:
                proc.kill()
                proc.communicate()
                if cancel.cancelled:
                    raise Cancelled("cancelled") from None
                return ChildOutcome(ok=False, crashed=True, message=f"no answer within {int(timeout)} s")
    if cancel.cancelled:
        raise Cancelled("cancelled")
    rc = proc.returncode
    logger.info("probe child ended with code %d", rc)
    if rc == 0:
        return ChildOutcome(ok=True, crashed=False, message="")
    detail = _assertion(err)
    if rc < 0:
        return ChildOutcome(
            ok=False, crashed=True, message=_signal_name(-rc) + (f": {detail}" if detail else "")
        )
    reported = _child_error(out)
    if reported:
        return ChildOutcome(ok=False, crashed=False, message=reported)
    return ChildOutcome(ok=False, crashed=True, message=detail or f"exit code {rc}")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _assertion(stderr: bytes) -> str:
    match = _ASSERT.search(stderr.decode("utf-8", "replace"))
    return match.group(1)[:200] if match else ""


def _child_error(stdout: bytes) -> str:
    for line in reversed(stdout.decode("utf-8", "replace").splitlines()):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
    return ""


def probe_model(
    path: Path,
    *,
    sha256: str | None = None,
    gpu: str = "auto",
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> SafeLoad:
    """`safe_settings` with the settings this machine would load `path` with (imports and downloads).

    Raises:
        ModelLoadError: every setting crashed, or llama.cpp cannot load the file.
        Cancelled: `cancel` was set.

    """
    from app.core.runtime.hardware import choose_backend, probe_hardware

    backend = choose_backend(probe_hardware(), gpu=gpu)
    wanted = LoadSettings(n_gpu_layers=backend.n_gpu_layers)
    return safe_settings(path, wanted, sha256=sha256, cancel=cancel, progress=progress)


def known_outcome(path: Path, *, sha256: str | None = None, gpu: str = "auto") -> str | None:
    """What the probe found for `path` here, without probing or hashing anything.

    None: not probed on this machine and build yet (or the file was never hashed); "ok":
    it runs with the settings wanted; otherwise the note saying what was turned off and why.
    """
    from app.core.runtime.hardware import choose_backend, probe_hardware

    sha256 = sha256 or probe_cache.known_sha256(path)
    if not sha256:
        return None
    backend = choose_backend(probe_hardware(), gpu=gpu)
    record = probe_cache.load_record(
        probe_cache.probe_key(sha256, LoadSettings(n_gpu_layers=backend.n_gpu_layers))
    )
    if record is None:
        return None
    return describe_off(record.turned_off, why=record.why) or "ok"
