"""Inline completion through an endpoint: llama-cpp-python's own server on 127.0.0.1 with a FIM model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.completion import CompletionEngine
from app.core.completion.fim_format import build_prompt
from app.core.completion.remote_engine import RemoteCompletionEngine, text_prompt
from app.core.errors import EnclaveError
from app.core.privacy import guard
from app.core.remote.endpoint import make_endpoint
from app.core.remote.remote_model import RemoteModel
from app.core.runtime.local_model import LocalModel
from tests.support.llama_server import RunningServer, start_server
from tests.support.tiny_gguf import token_id

pytestmark = pytest.mark.integration

SOURCE = "import os\n\n\ndef add(a, b):\n    return a + b\n\n\ndef main():\n    total = \n    print(total)\n"


@pytest.fixture(scope="module")
def fim_server(tiny_fim: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with start_server(tiny_fim, log=tmp_path_factory.mktemp("server") / "fim.log") as server:
        yield server


def test_the_text_prompt_is_the_local_prompt_token_for_token(tiny_fim: Path) -> None:
    # A server that reads special tokens in a prompt (llama.cpp's, vLLM's) sees exactly the
    # tokens Enclave builds locally; a marker inside the file stays text.
    model = LocalModel.load(tiny_fim, n_ctx=2048)
    try:
        engine = CompletionEngine(model)
        prefix, suffix = "s = '<|fim_middle|>'\nx = ", "\nprint(x)\n"
        local = build_prompt(model, engine.fim, path="m.py", prefix=prefix, suffix=suffix, repo="proj")
        remote = text_prompt(path="m.py", prefix=prefix, suffix=suffix, chunks=[], repo="proj")
        served = list(model._llm.tokenize(remote.text.encode(), add_bos=False, special=True))
        middle = token_id("<|fim_middle|>", fim=True)
        assert served.count(middle) == 1
        assert served[served.index(middle) + 1 :] == list(
            model._llm.tokenize(b"x = ", add_bos=False, special=False)
        )
        assert [t for t in served if t >= 256] == [t for t in local.tokens if t >= 256]  # the same markers
    finally:
        model.close()


def test_a_completion_streams_from_the_server_and_is_ledgered(fim_server: RunningServer) -> None:
    remote = RemoteModel.open(make_endpoint("coder", url=fim_server.url, model="test-model"), api_key=None)
    try:
        engine = RemoteCompletionEngine(remote, max_tokens=12)
        guard.clear_ledger()
        offset = SOURCE.index("total = ") + len("total = ")
        done = engine.complete(path="app/m.py", text=SOURCE, offset=offset, cancel=CancelToken())
        assert done.finish in {"stop", "cut", "length", "time"} and done.prompt_tokens > 10
        request = [e for e in guard.ledger() if e.operation == "request"][-1]
        assert request.target == f"127.0.0.1:{fim_server.port}" and "app/m.py" in request.files
        again = engine.complete(path="app/m.py", text=SOURCE, offset=offset, cancel=CancelToken())
        assert again.cached or done.finish in {"length", "time"}
    finally:
        remote.close()


def test_plain_qwen3_behind_an_endpoint_is_refused(fim_server: RunningServer) -> None:
    remote = RemoteModel.open(
        make_endpoint("q3", url=fim_server.url, model="Qwen3-4B-Instruct"), api_key=None
    )
    try:
        with pytest.raises(EnclaveError, match="plain Qwen3"):
            RemoteCompletionEngine(remote)
    finally:
        remote.close()


def test_the_cli_completes_through_an_endpoint(fim_server: RunningServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}

    def enclave(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120, env=env
        )

    added = enclave("endpoint", "add", "coder", fim_server.url, "--model", "test-model", "--context", "2048")
    assert added.returncode == 0, added.stderr
    source = tmp_path / "m.py"
    source.write_text(SOURCE)
    done = enclave("complete", str(source), "9", "13", "--endpoint", "coder", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["prompt_tokens"] > 10
    assert enclave("endpoint", "remove", "coder").returncode == 0
