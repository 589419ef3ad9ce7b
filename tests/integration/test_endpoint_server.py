"""Endpoints against a real server: llama-cpp-python's own OpenAI-compatible one, on 127.0.0.1.

One server per model for the module: the demo model (plain chat, the CLI from add to
remove) and a tiny Qwen whose template takes tools (structured tool-call deltas when a
call is forced, the hermes-in-text path otherwise, and a whole agent turn).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.agent.tool_call_parser import split_reply
from app.core.cancel import CancelToken
from app.core.privacy import guard
from app.core.remote.endpoint import make_endpoint
from app.core.remote.remote_model import RemoteModel
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta
from tests.support.llama_server import RunningServer, start_server

pytestmark = pytest.mark.integration

READ_TOOL = {
    "type": "function",
    "function": {
        "name": "read",
        "description": "Read a file.",
        "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
    },
}


@pytest.fixture(scope="module")
def smol_server(demo_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with start_server(demo_model, log=tmp_path_factory.mktemp("server") / "smol.log", n_ctx=8192) as server:
        yield server


@pytest.fixture(scope="module")
def qwen_server(tiny_qwen2: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with start_server(tiny_qwen2, log=tmp_path_factory.mktemp("server") / "qwen.log") as server:
        yield server


def enclave(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        input=stdin,
    )


def collect(model: RemoteModel, messages, **kwargs) -> tuple[str, GenerationDone]:
    text, done = [], None
    for item in model.chat(messages, sampling=Sampling.greedy(max_tokens=24), cancel=CancelToken(), **kwargs):
        if isinstance(item, TextDelta):
            text.append(item.text)
        elif isinstance(item, GenerationDone):
            done = item
    assert done is not None
    return "".join(text), done


def test_a_reply_streams_from_the_server_and_is_ledgered(smol_server: RunningServer) -> None:
    endpoint = make_endpoint("smol", url=smol_server.url, model="test-model", context=8192)
    model = RemoteModel.open(endpoint, api_key=None)
    guard.clear_ledger()
    text, done = collect(model, [{"role": "user", "content": "Say hello."}])
    model.close()
    assert text.strip() and done.finish_reason in {"stop", "length"}
    assert done.stats.completion_tokens > 0 and done.stats.ttft_s > 0
    assert model.models_served == ("test-model",) and model.n_ctx == 8192
    request = [e for e in guard.ledger() if e.operation == "request"][-1]
    assert request.target == f"127.0.0.1:{smol_server.port}" and request.bytes_down > len(text)


def test_the_cli_adds_lists_tests_chats_and_removes_an_endpoint(smol_server: RunningServer) -> None:
    added = enclave("endpoint", "add", "smol", smol_server.url, "--model", "test-model", "--context", "8192",
                    "--key-stdin", stdin="sk-local-test\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert (
        "memory for this session only" in added.stderr and "ENCLAVE_KEY_SMOL" in added.stderr
    )  # no keyring here
    listed = json.loads(enclave("endpoint", "list", "--json").stdout)
    assert [e["name"] for e in listed["endpoints"]] == ["smol"] and listed["roles"] == {
        "agent": None,
        "chat": None,
        "completion": None,
    }
    settings = (Path(os.environ["ENCLAVE_HOME"]) / "config" / "settings.toml").read_text()
    assert "sk-local-test" not in settings and "test-model" in settings

    doctor = json.loads(enclave("doctor", "--json").stdout)["endpoints"]
    assert doctor["policy"] == "allowed" and [e["name"] for e in doctor["configured"]] == ["smol"]

    tested = enclave("endpoint", "test", "smol", "--json")
    assert tested.returncode == 0, tested.stderr
    report = json.loads(tested.stdout)
    assert report["reachable"] and report["models"] == ["test-model"] and report["model_listed"] is True
    assert (report["context"], report["context_source"]) == (8192, "setting")
    assert report["tools"]  # SmolLM2's template has no tools: answered without a call

    chat = enclave(
        "chat", "--endpoint", "smol", "Say hi", "--max-tokens", "8", "--temperature", "0", "--json"
    )
    assert chat.returncode == 0, chat.stderr
    answer = json.loads(chat.stdout)
    assert answer["text"] and answer["backend"] == "remote" and answer["n_ctx"] == 8192
    assert f"127.0.0.1:{smol_server.port}" in chat.stderr  # the user is told where it went

    removed = enclave("endpoint", "remove", "smol")
    assert (
        removed.returncode == 0
        and json.loads(enclave("endpoint", "list", "--json").stdout)["endpoints"] == []
    )
    gone = enclave("chat", "--endpoint", "smol", "hi")
    assert gone.returncode == 1 and "no endpoint named 'smol'" in gone.stderr


def test_a_forced_call_streams_structured_deltas_that_join_into_one_call(qwen_server: RunningServer) -> None:
    model = RemoteModel.open(make_endpoint("qwen", url=qwen_server.url, model="test-model"), api_key=None)
    text, done = collect(
        model,
        [{"role": "user", "content": "Read calc.py"}],
        tools=[READ_TOOL],
        tool_choice={"type": "function", "function": {"name": "read"}},
    )
    model.close()
    assert model.last_structured_calls == 1
    calls = split_reply(text, tool_names=frozenset({"read"})).calls
    assert len(calls) == 1 and calls[0].name == "read"
    # A random-weight model under the server's JSON-schema grammar: valid JSON unless the token
    # limit cuts it off (this server then still says "stop"); cut off, the model is told by name.
    assert not calls[0].error or "arguments" in calls[0].error
    assert done.finish_reason in {"stop", "length"}


def test_without_a_forced_call_the_reply_is_text_for_the_hermes_parser(qwen_server: RunningServer) -> None:
    model = RemoteModel.open(make_endpoint("qwen", url=qwen_server.url, model="test-model"), api_key=None)
    _text, done = collect(model, [{"role": "user", "content": "hi"}], tools=[READ_TOOL])
    model.close()
    assert model.last_structured_calls == 0 and done.finish_reason in {"stop", "length"}


def test_ask_runs_an_agent_turn_over_the_endpoint(smol_server: RunningServer, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    added = enclave("endpoint", "add", "smol", smol_server.url, "--model", "test-model", "--context", "8192",
                    "--use", "agent")  # fmt: skip
    assert added.returncode == 0, added.stderr
    proc = enclave("ask", str(project), "where is add?", "--max-steps", "1", "--json")
    assert proc.returncode in (0, 3), proc.stderr  # answered, or out of steps: a small model
    assert f"127.0.0.1:{smol_server.port}" in proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1]["type"] == "turn_done"
    # A local-only project never reaches the endpoint, even with the role set to it.
    (project / ".enclave").mkdir()
    (project / ".enclave" / "local-only").write_text("")
    refused = enclave("ask", str(project), "where is add?", "--endpoint", "smol")
    assert refused.returncode == 1 and "local-only" in refused.stderr


def test_the_server_takes_a_tool_round_trip_in_the_history(qwen_server: RunningServer) -> None:
    model = RemoteModel.open(make_endpoint("qwen", url=qwen_server.url, model="test-model"), api_key=None)
    history = [
        {"role": "system", "content": "You read code."},
        {"role": "user", "content": "Read calc.py"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"name": "read", "arguments": {"path": "calc.py"}}],
        },
        {"role": "tool", "content": "calc.py (2 lines)\n1: def add(a, b):\n2:     return a - b"},
        {"role": "user", "content": "Now?"},
    ]
    _text, done = collect(model, history, tools=[READ_TOOL])
    model.close()
    assert done.finish_reason in {"stop", "length"}
