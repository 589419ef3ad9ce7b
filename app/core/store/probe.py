"""Probe-load a new model once in a child process, so a file that crashes llama.cpp never crashes the app."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from app.core.errors import Cancelled, ModelLoadError
from app.core.events import CancelToken

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 300.0
_ASSERT = re.compile(r"(GGML_ASSERT\([^\n]*?\) failed|GGML_ABORT[^\n]*)")


def probe_command(model: Path) -> list[str]:
    """The child's command line: this interpreter running `probe_child` on `model`."""
    return [sys.executable, "-m", "app.core.store.probe_child", str(model)]


def probe_model(model: Path, *, cancel: CancelToken | None = None, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Load `model` in a child process and generate one token; return when that worked.

    Raises:
        ModelLoadError: the child crashed, failed to load the model, or ran past `timeout`.
        Cancelled: `cancel` was set (the child is killed).

    """
    cancel = cancel or CancelToken()
    env = dict(os.environ)
    env["GGML_NO_BACKTRACE"] = "1"  # ggml would otherwise attach gdb to print a backtrace on abort
    proc = subprocess.Popen(
        probe_command(model),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    waited = 0.0
    step = 0.1
    while True:
        try:
            out, err = proc.communicate(timeout=step)
            break
        except subprocess.TimeoutExpired:
            waited += step
            if cancel.cancelled or waited >= timeout:
                proc.kill()
                proc.communicate()
                if cancel.cancelled:
                    raise Cancelled("cancelled") from None
                raise ModelLoadError(
                    f"{model.name}: llama.cpp did not finish loading it within {int(timeout)} s; not added"
                ) from None
    rc = proc.returncode
    logger.info("probe of a %d-byte model ended with code %d", model.stat().st_size, rc)
    if rc == 0:
        return
    detail = _assertion(err)
    if rc < 0:
        name = _signal_name(-rc)
        raise ModelLoadError(
            f"{model.name}: llama.cpp crashed while loading it ({name}{': ' + detail if detail else ''}); "
            "the file was not added"
        )
    raise ModelLoadError(
        f"{model.name}: llama.cpp cannot load it ({_child_error(out) or detail or rc}); not added"
    )


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
