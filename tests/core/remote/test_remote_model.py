"""RemoteModel against a scripted server on 127.0.0.1: tool-call deltas, errors, retries, cancel.

The real-server tests (llama-cpp-python's own server) are in tests/integration.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from app.core.agent.tool_call_parser import split_reply
from app.core.cancel import CancelToken
from app.core.errors import RemoteError
from app.core.privacy import guard
from app.core.remote.endpoint import make_endpoint
from app.core.remote.remote_model import RemoteModel
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta
from tests.support.fake_openai import (
    FakeOpenAI,
    endless,
    finish_chunk,
    hang,
    sse,
    status,
    text_chunk,
    tool_chunk,
    usage_chunk,
)
from tests.support.llama_server import free_port

HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture(autouse=True)
def no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_SYSTEM_CONFIG", str(tmp_path / "system"))


@pytest.fixture
def fake():
    server = FakeOpenAI().start()
    yield server
    server.stop()


def open_model(url: str, *, key: str | None = None, timeout: float = 10.0, ca: str = "") -> RemoteModel:
    endpoint = make_endpoint("fake", url=url, model="fake-model")
    return RemoteModel.open(endpoint, api_key=key, timeout=timeout, backoff_s=0.01, ca_bundle=ca)


def collect(model: RemoteModel, *, messages=HELLO, tools=None, cancel: CancelToken | None = None):
    text, done = [], None
    for item in model.chat(
        messages, tools=tools, sampling=Sampling.greedy(max_tokens=64), cancel=cancel or CancelToken()
    ):
        if isinstance(item, TextDelta):
            text.append(item.text)
        elif isinstance(item, GenerationDone):
            done = item
    assert done is not None
    return "".join(text), done


def test_tool_call_deltas_are_joined_by_index_with_id_and_name_only_first(fake: FakeOpenAI) -> None:
    fake.script.append(
        sse(
            [
                text_chunk("Let me look."),
                tool_chunk(0, call_id="c0", name="read", args='{"pa'),
                tool_chunk(1, call_id="c1", name="grep", args='{"pattern":'),
                tool_chunk(0, args='th": "calc.py"}'),  # interleaved: index, not order, decides
                tool_chunk(1, args=' "retry"}'),
                finish_chunk("tool_calls"),
                usage_chunk(120, 30, cached=100),
            ]
        )
    )
    model = open_model(fake.url)
    text, done = collect(model)
    split = split_reply(text, tool_names=frozenset({"read", "grep"}))
    assert split.text.strip() == "Let me look."
    assert [(c.name, c.arguments) for c in split.calls] == [
        ("read", {"path": "calc.py"}),
        ("grep", {"pattern": "retry"}),
    ]
    assert model.last_structured_calls == 2
    # The gauge reads the server's own numbers: its context length and its usage report.
    assert model.n_ctx == 4096
    assert (done.stats.prompt_tokens, done.stats.cached_tokens, done.stats.completion_tokens) == (
        120,
        100,
        30,
    )
    assert fake.chats[0].body["stream"] is True and "grammar" not in fake.chats[0].body
    model.close()


def test_malformed_tool_call_deltas_are_salvaged_or_reported_never_crash(fake: FakeOpenAI) -> None:
    fake.script.append(
        sse(
            [
                # llama-cpp-python repeats id and name in every chunk, and this one has no index.
                tool_chunk(None, call_id="x", name="read", args='{"path": '),
                tool_chunk(None, call_id="x", name="read", args='"calc.py"}'),
                {"choices": [{"index": 0, "delta": {"tool_calls": ["not an object"]}}]},
                tool_chunk(1, call_id="y", args='{"a": 1}'),  # never named: dropped
                tool_chunk(2, call_id="z", name="grep", args={"pattern": "x"}),  # arguments as an object
                tool_chunk(3, call_id="w", name="glob", args='{"pattern": "*.py"'),  # cut-off JSON
                {"choices": "garbage"},
                finish_chunk("tool_calls"),
            ]
        )
    )
    model = open_model(fake.url)
    text, _done = collect(model)
    calls = split_reply(text, tool_names=frozenset({"read", "grep", "glob"})).calls
    assert [c.name for c in calls] == ["read", "grep", "glob"]
    assert calls[0].arguments == {"path": "calc.py"} and calls[1].arguments == {"pattern": "x"}
    assert calls[2].error and "arguments" in calls[2].error  # cut off: the model is told, by name
    model.close()


def test_a_truncated_stream_is_one_clear_error(fake: FakeOpenAI) -> None:
    fake.script.append(sse([text_chunk("half an ans")], done=False))
    model = open_model(fake.url)
    with pytest.raises(RemoteError, match="ended before the reply was complete"):
        collect(model)
    model.close()


def test_401_says_the_key_was_refused_and_the_key_went_as_a_bearer(fake: FakeOpenAI) -> None:
    fake.models_status = 401
    with pytest.raises(RemoteError, match=r"refused the API key \(401\)"):
        open_model(fake.url, key="sk-test")
    assert fake.requests[0].headers["Authorization"] == "Bearer sk-test"


def test_429_and_503_are_retried_with_backoff_then_succeed(fake: FakeOpenAI) -> None:
    fake.script += [
        status(429, headers={"Retry-After": "0"}),
        status(503),
        sse([text_chunk("fine"), finish_chunk()]),
    ]
    model = open_model(fake.url)
    text, _done = collect(model)
    assert text == "fine" and len(fake.chats) == 3
    model.close()


def test_a_server_that_stays_busy_says_so(fake: FakeOpenAI) -> None:
    fake.script += [status(429, headers={"Retry-After": "0"}) for _ in range(10)]
    model = open_model(fake.url)
    with pytest.raises(RemoteError, match=r"busy \(429\)"):
        collect(model)
    model.close()


def test_an_unknown_model_is_named(fake: FakeOpenAI) -> None:
    fake.script.append(
        status(404, {"error": {"message": "The model `fake-model` does not exist.", "code": 404}})
    )
    model = open_model(fake.url)
    with pytest.raises(RemoteError, match="does not serve the model 'fake-model' \\(unknown model\\)"):
        collect(model)
    model.close()


def test_a_refused_connection_is_one_line() -> None:
    with pytest.raises(RemoteError, match="connection refused"):
        open_model(f"http://127.0.0.1:{free_port()}/v1")


def test_a_silent_server_times_out(fake: FakeOpenAI) -> None:
    fake.script.append(hang(3))
    model = open_model(fake.url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(RemoteError, match="timeout"):
        collect(model)
    assert time.monotonic() - started < 2.5
    model.close()


def test_tls_to_a_plain_server_is_a_tls_failure(fake: FakeOpenAI) -> None:
    with pytest.raises(RemoteError, match="TLS failure"):
        open_model(f"https://127.0.0.1:{fake.port}/v1")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_an_untrusted_certificate_fails_and_a_custom_ca_bundle_fixes_it(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = FakeOpenAI(tls=(cert, key)).start()
    try:
        url = f"https://127.0.0.1:{server.port}/v1"
        with pytest.raises(RemoteError, match="TLS failure: the server's certificate is not trusted"):
            open_model(url)
        model = open_model(url, ca=str(cert))
        assert collect(model)[0] == "ok"
        model.close()
    finally:
        server.stop()


def test_cancel_closes_the_stream_within_a_second(fake: FakeOpenAI) -> None:
    fake.script.append(endless(interval=5.0))  # one word, then nothing for 5 s: a blocked read
    model = open_model(fake.url)
    cancel = CancelToken()
    stream = model.chat(HELLO, sampling=Sampling(), cancel=cancel)
    assert isinstance(next(stream), TextDelta)
    timer = threading.Timer(0.2, cancel.cancel)
    timer.start()
    started = time.monotonic()
    items = list(stream)
    cancelled_after = time.monotonic() - started - 0.2
    assert isinstance(items[-1], GenerationDone) and items[-1].finish_reason == "cancelled"
    assert cancelled_after < 1.0, cancelled_after
    model.close()


def test_every_request_is_ledgered_with_sizes_and_files_never_content(fake: FakeOpenAI) -> None:
    guard.clear_ledger()
    fake.script.append(sse([text_chunk("seen"), finish_chunk(), usage_chunk(50, 1)]))
    model = open_model(fake.url)
    secret = "def retry_logic(): return 'SECRET-CONTENT'"
    messages = [
        {"role": "user", "content": f"File calc.py:\n```\n{secret}\n```"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"name": "read", "arguments": {"path": "pkg/util.py"}}],
        },
        {"role": "tool", "content": "pkg/util.py (2 lines)\n1: def helper():"},
        {"role": "user", "content": "explain"},
    ]
    collect(model, messages=messages)
    model.close()
    entries = [e for e in guard.ledger() if e.operation == "request"]
    last = entries[-1]
    assert last.target == f"127.0.0.1:{fake.port}" and last.allowed
    assert last.bytes_up > len(secret) and last.bytes_down > 0
    assert (last.tokens_up, last.tokens_down) == (50, 1)
    assert last.files == ("calc.py", "pkg/util.py")
    assert "SECRET" not in json.dumps([e.as_dict() for e in guard.ledger()])
    ops = [e.operation for e in guard.ledger()]
    assert ops[0] == "endpoint-open" and ops[-1] == "endpoint-close"


def test_a_server_that_refuses_an_optional_parameter_is_asked_again_without_them(fake: FakeOpenAI) -> None:
    fake.script += [
        status(400, {"error": {"message": "Unrecognized request argument supplied: stream_options"}}),
        sse([text_chunk("plain"), finish_chunk()]),
        sse([text_chunk("again"), finish_chunk()]),
    ]
    model = open_model(fake.url)
    assert collect(model)[0] == "plain"
    assert collect(model)[0] == "again"
    model.close()
    first, second, third = (r.body for r in fake.chats)
    assert "stream_options" in first and "stream_options" not in second and "stream_options" not in third
    assert second["messages"] == first["messages"] and second["stream"] is True


def test_a_server_that_ignores_stream_still_gets_through(fake: FakeOpenAI) -> None:
    whole = {
        "choices": [
            {
                "message": {
                    "content": "Reading.",
                    "tool_calls": [
                        {
                            "id": "a",
                            "type": "function",
                            "function": {"name": "read", "arguments": '{"path": "x"}'},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5},
    }
    fake.script.append(status(200, whole))
    model = open_model(fake.url)
    text, done = collect(model)
    model.close()
    calls = split_reply(text, tool_names=frozenset({"read"})).calls
    assert [(c.name, c.arguments) for c in calls] == [("read", {"path": "x"})]
    assert done.stats.prompt_tokens == 10
