from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.agent import AgentOptions, Mode, ScriptedModel
from app.core.agent.context import TRIMMED_NOTE
from app.core.agent.events import ContextTrimmed
from app.core.agent.skills import expand_skill, load_skills
from app.core.cancel import CancelToken
from app.core.errors import EnclaveError
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta
from tests.core.agent.helpers import agent_for, call, run_turn


def test_prompt_order_is_fixed_so_the_prefix_is_reused(project: Path) -> None:
    first = run_turn(project, [call("read", path="calc.py"), "answer one"], mode=Mode.PLAN, text="q1")
    second = run_turn(project, ["answer two"], mode=Mode.PLAN, agent=first.agent, text="q2 @pkg/util.py")
    third = run_turn(project, ["answer three"], mode=Mode.PLAN, agent=first.agent, text="q3")
    calls = [c for c in third.model.calls if c.grammar is None]
    msgs = calls[-1].messages
    assert msgs[0]["role"] == "system" and "Mode: PLAN" in msgs[0]["content"]
    assert msgs[1]["content"].startswith("Project map")
    assert "File pkg/util.py:" in msgs[1]["content"]  # the @-mentioned file is pinned
    assert [m["content"] for m in msgs if m["role"] == "user"][-3:] == ["q1", "q2 @pkg/util.py", "q3"]
    # Turn 3's prompt starts with exactly turn 2's prompt (minus its new message).
    before = [c for c in second.model.calls if c.grammar is None][-1].messages
    assert msgs[: len(before)] == before


def test_near_the_limit_old_tool_outputs_go_first_then_old_turns(project: Path) -> None:
    (project / "big.txt").write_text(("word " * 10 + "\n") * 400)
    model = ScriptedModel([], n_ctx=6000)
    options = AgentOptions(sampling=Sampling(max_tokens=1000), map_tokens=100)

    agent = agent_for(project, model, options=options)
    run1 = run_turn(project, [call("read", path="big.txt"), "read it"], agent=agent, mode=Mode.PLAN)
    assert run1.of(ContextTrimmed) == []
    run2 = run_turn(project, [call("read", path="big.txt"), "again"], agent=agent, mode=Mode.PLAN)
    trims = run2.of(ContextTrimmed)
    assert trims and trims[0].trimmed_tool_outputs == 1 and trims[0].summarised_turns == 0
    assert trims[0].tokens_after < trims[0].tokens_before
    tool_outputs = [m["content"] for m in model.calls[-1].messages if m["role"] == "tool"]
    assert tool_outputs[0] == TRIMMED_NOTE  # the first turn's read, trimmed in the prompt
    assert tool_outputs[-1] != TRIMMED_NOTE  # this turn's read is shown whole
    for n in range(3):
        # Long questions: trimming tool outputs alone no longer makes room.
        run = run_turn(
            project, ["more"], agent=agent, mode=Mode.PLAN, text=f"question {n} " + "detail " * 1500
        )
    summaries = [
        m for m in model.calls[-1].messages if m["content"].startswith("Summary of the earlier conversation")
    ]
    assert len(summaries) == 1 and "read(path=big.txt)" in summaries[0]["content"]
    assert any(t.summarised_turns for t in run.of(ContextTrimmed))


def test_skills_expand_and_project_skills_win(project: Path) -> None:
    skills = load_skills(project)
    assert {"explain", "tests", "review", "fix-test", "document"} <= set(skills)
    text, skill = expand_skill("/explain the retry logic", skills)
    assert skill is not None and "Explain how the retry logic works" in text
    (project / ".enclave" / "skills").mkdir(parents=True)
    (project / ".enclave" / "skills" / "explain.md").write_text(
        "---\ndescription: mine\n---\nELI5: $ARGUMENTS\n"
    )
    (project / ".enclave" / "skills" / "Bad Name.md").write_text("x")
    skills = load_skills(project)
    assert skills["explain"].source == "project"
    assert expand_skill("/explain caching", skills)[0] == "ELI5: caching"
    assert expand_skill("/nosuch thing", skills) == ("/nosuch thing", None)


def test_a_skill_reaches_the_model_as_the_user_message(project: Path) -> None:
    run = run_turn(project, ["ok"], mode=Mode.PLAN, text="/review calc.py")
    assert run.model.calls[0].messages[-1]["content"].startswith("Review calc.py.")


def _collect(model: ScriptedModel, **kw) -> tuple[str, GenerationDone]:
    parts, done = [], None
    for item in model.chat(
        [{"role": "user", "content": "x"}], sampling=Sampling(), cancel=CancelToken(), **kw
    ):
        if isinstance(item, TextDelta):
            parts.append(item.text)
        elif isinstance(item, GenerationDone):
            done = item
    assert done is not None
    return "".join(parts), done


def test_scripted_model_replays_honours_stop_and_runs_out_politely() -> None:
    model = ScriptedModel(["hello STOP world", "second"])
    assert _collect(model, stop=("STOP",))[0] == "hello "
    assert _collect(model)[0] == "second"
    assert "no more replies" in _collect(model)[0]


def test_scripted_model_from_file(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps("one\n<tool_call>") + "\n\n" + json.dumps("two") + "\n")
    assert ScriptedModel.from_file(path).replies == ["one\n<tool_call>", "two"]
    path.write_text('{"not": "a string"}\n')
    with pytest.raises(EnclaveError, match="one JSON string"):
        ScriptedModel.from_file(path)
    with pytest.raises(EnclaveError, match="cannot read"):
        ScriptedModel.from_file(tmp_path / "missing.jsonl")
