"""llama-cpp-python's own OpenAI-compatible server, on 127.0.0.1, for the endpoint tests and benchmark.

Run as `python -m tests.support.llama_server --model GGUF --port N [--n-ctx N] [--chat-format F]`.
It is `python -m llama_cpp.server` with one difference: the model loads with llama.cpp's
extra buffer types off, the setting Enclave's probe falls back to where AMX repacking
crashes the first decode (this machine's CPU is one). `start_server` runs it and waits.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class RunningServer:
    """A started server: its base URL and where its log goes."""

    url: str
    port: int
    log: Path


def free_port() -> int:
    """A TCP port nothing listens on right now (on 127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def start_server(
    model: Path,
    *,
    log: Path,
    n_ctx: int = 2048,
    chat_format: str | None = None,
    threads: int = 1,
    threads_batch: int = 1,
    timeout: float = 90.0,
) -> Iterator[RunningServer]:
    """Start the server for `model` and yield once `/v1/models` answers; stop it afterwards."""
    port = free_port()
    cmd = [sys.executable, "-m", "tests.support.llama_server", "--model", str(model), "--port", str(port)]
    cmd += ["--n-ctx", str(n_ctx), "--threads", str(threads), "--threads-batch", str(threads_batch)]
    if chat_format:
        cmd += ["--chat-format", chat_format]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited ({proc.returncode}): {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/models", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("llama_cpp.server did not start in time") from None
                time.sleep(0.2)
        yield RunningServer(url, port, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    """Serve one model until terminated."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--chat-format", default=None)
    parser.add_argument("--threads", type=int, default=1)  # more spin-wait against each other on a shared CPU
    parser.add_argument("--threads-batch", type=int, default=1)
    args = parser.parse_args(argv)

    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    from app.core.runtime.load_settings import model_params

    model = ModelSettings(
        model=args.model,
        model_alias="test-model",
        n_ctx=args.n_ctx,
        n_threads=args.threads,
        n_threads_batch=args.threads_batch,
        chat_format=args.chat_format,
        verbose=True,  # the benchmark reads the prefix-match lines from the log
    )
    server = ServerSettings(host="127.0.0.1", port=args.port)
    with model_params(extra_bufts=False):
        app = create_app(server_settings=server, model_settings=[model])
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
