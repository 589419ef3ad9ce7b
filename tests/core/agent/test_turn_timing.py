"""A turn reports the time to the model's first token, for the chat footer."""

from __future__ import annotations

from pathlib import Path

from app.core.agent import Mode
from app.core.agent.events import TurnDone
from tests.core.agent.helpers import agent_for, call, run_turn


def test_turn_done_carries_the_time_to_the_first_token(project: Path) -> None:
    run = run_turn(project, [call("read", path="calc.py"), "It subtracts."], mode=Mode.PLAN)
    done = run.done
    assert isinstance(done, TurnDone) and done.reason == "answered"
    assert done.ttft_s is not None
    assert 0.0 <= done.ttft_s <= done.elapsed_s


def test_a_turn_cancelled_before_any_token_has_no_first_token_time(project: Path) -> None:
    from app.core.agent import ScriptedModel, TurnRequest
    from app.core.cancel import CancelToken

    cancel = CancelToken()
    cancel.cancel()
    agent = agent_for(project, ScriptedModel(["never said"]))
    events = list(agent.run_turn(TurnRequest("hi"), cancel=cancel))
    done = events[-1]
    assert isinstance(done, TurnDone) and done.reason == "cancelled"
    assert done.ttft_s is None
