"""The same agent over a remote model: Plan mode holds, calls run, the prefix stays stable."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from app.core.agent import Agent, AgentOptions, Mode, TurnRequest
from app.core.agent.events import ToolCallFinished, TurnDone
from app.core.agent.index_adapter import IndexAdapter
from app.core.cancel import CancelToken
from app.core.index import ProjectIndex
from app.core.privacy import guard
from app.core.remote.endpoint import make_endpoint
from app.core.remote.remote_model import RemoteModel
from tests.support.fake_openai import FakeOpenAI, finish_chunk, sse, text_chunk, tool_chunk, usage_chunk


@pytest.fixture(autouse=True)
def no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_SYSTEM_CONFIG", str(tmp_path / "system"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    return root


def structured(name: str, arguments: dict, *, call_id: str = "c1") -> list[dict]:
    raw = json.dumps(arguments)
    half = len(raw) // 2
    return [
        tool_chunk(0, call_id=call_id, name=name, args=raw[:half]),
        tool_chunk(0, args=raw[half:]),
        finish_chunk("tool_calls"),
        usage_chunk(300, 12),
    ]


def run(agent: Agent, text: str, *, mode: Mode, history: list) -> list:
    events = []
    turn = agent.run_turn(TurnRequest(text, mode=mode), cancel=CancelToken(), history=list(history))
    while True:
        try:
            event = next(turn)
        except StopIteration as stop:
            history.append(list(stop.value.messages))
            return events
        reply = getattr(event, "reply", None)
        if reply is not None:
            reply.answer("once")
        events.append(event)


def test_plan_mode_sends_no_write_tools_and_refuses_one_the_server_names_anyway(project: Path) -> None:
    fake = FakeOpenAI().start()
    try:
        fake.script += [
            sse(structured("write", {"path": "calc.py", "content": "x = 1\n"}, call_id="w")),
            sse(structured("read", {"path": "calc.py"}, call_id="r")),
            sse([text_chunk("`add` subtracts (calc.py:2)."), finish_chunk(), usage_chunk(400, 9)]),
            sse([text_chunk("Still read-only."), finish_chunk(), usage_chunk(500, 4)]),
        ]
        model = RemoteModel.open(make_endpoint("fake", url=fake.url, model="fake-model"), api_key=None)
        agent = Agent(
            model, root=project, index=IndexAdapter(ProjectIndex.open(project)), options=AgentOptions()
        )
        guard.clear_ledger()
        history: list = []
        events = run(agent, "why does add fail?", mode=Mode.PLAN, history=history)
        events += run(agent, "and now?", mode=Mode.PLAN, history=history)
        model.close()
    finally:
        fake.stop()

    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [(e.name, e.ok) for e in finished] == [("write", False), ("read", True)]
    assert "not available in Plan mode" in finished[0].output
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a - b\n"
    done = [e for e in events if isinstance(e, TurnDone)]
    assert done[0].text == "`add` subtracts (calc.py:2)." and done[0].prompt_tokens == 400

    bodies = [r.body for r in fake.chats]
    offered = {t["function"]["name"] for t in bodies[0]["tools"]}
    assert offered and not offered & {"write", "edit", "run"}
    assert all("grammar" not in b for b in bodies)
    # Each request's messages start with the previous request's: the server's prefix cache hits.
    for before, after in itertools.pairwise(bodies):
        assert after["messages"][: len(before["messages"])] == before["messages"]
        assert after["tools"] == before["tools"]
    # The read call went back as a structured call with a matching tool result.
    replay = bodies[2]["messages"]
    calls = [m for m in replay if m.get("tool_calls")]
    results = [m for m in replay if m["role"] == "tool"]
    assert calls[-1]["tool_calls"][0]["function"]["name"] == "read"
    assert results[-1]["tool_call_id"] == calls[-1]["tool_calls"][0]["id"]
    # The ledger names the file whose content went out with the request after the read.
    requests = [e for e in guard.ledger() if e.operation == "request" and e.files]
    assert any("calc.py" in e.files for e in requests)


def test_a_local_only_project_and_a_policy_added_later_stop_an_open_remote_model(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.errors import EnclaveError
    from app.core.runtime.generation import Sampling

    fake = FakeOpenAI().start()
    try:
        model = RemoteModel.open(make_endpoint("fake", url=fake.url, model="fake-model"), api_key=None)
        (project / ".enclave").mkdir()
        (project / ".enclave" / "local-only").write_text("")
        with pytest.raises(EnclaveError, match="local-only"):
            Agent(model, root=project, index=IndexAdapter(ProjectIndex.open(project)))
        system = tmp_path / "locked"
        system.mkdir()
        (system / "enclave-policy.toml").write_text("endpoints = false\n")
        monkeypatch.setenv("ENCLAVE_SYSTEM_CONFIG", str(system))
        with pytest.raises(EnclaveError, match="policy"):
            model.chat([{"role": "user", "content": "hi"}], sampling=Sampling(), cancel=CancelToken())
        model.close()
    finally:
        fake.stop()
    assert fake.chats == []  # nothing was sent
