"""Helpers for agent tests: scripted turns and hermes calls."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from pathlib import Path

from app.core.agent import Agent, AgentOptions, Mode, Permissions, ScriptedModel, TurnRequest
from app.core.agent.events import Event, ToolCallFinished
from app.core.agent.index_adapter import IndexAdapter
from app.core.cancel import CancelToken
from app.core.index import ProjectIndex
from app.core.runtime.chat_template import Message

CALC = "import math\n\n\ndef add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n"


def call(name: str, **arguments: object) -> str:
    """A hermes tool call as Qwen writes it."""
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": arguments}) + "\n</tool_call>"


class Run:
    """The events of one turn plus the model, for assertions."""

    def __init__(self, events: list[Event], model: ScriptedModel, agent: Agent) -> None:
        self.events = events
        self.model = model
        self.agent = agent

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def outputs(self) -> list[str]:
        return [e.output for e in self.of(ToolCallFinished)]

    @property
    def done(self):
        return self.events[-1]


Answer = Callable[[Event], str]


def run_turn(
    root: Path,
    replies: list[str],
    *,
    mode: Mode = Mode.BUILD,
    answer: str | Answer = "once",
    agent: Agent | None = None,
    permissions: Permissions | None = None,
    options: AgentOptions | None = None,
    text: str = "do it",
) -> Run:
    """Run one turn of a scripted model; every reply slot gets `answer`."""
    if agent is None:
        model = ScriptedModel(list(replies))
        index = IndexAdapter(ProjectIndex.open(root))
        agent = Agent(
            model,
            root=root,
            index=index,
            permissions=permissions,
            options=options or AgentOptions(sandbox=True),
        )
    else:
        assert isinstance(agent.model, ScriptedModel)
        agent.model.replies.extend(replies)
    events: list[Event] = []
    history = HISTORY.setdefault(agent, [])
    turn = agent.run_turn(TurnRequest(text, mode=mode), cancel=CancelToken(), history=list(history))
    while True:
        try:
            event = next(turn)
        except StopIteration as stop:
            history.append(list(stop.value.messages))  # what a Session keeps for the next turn
            break
        reply = getattr(event, "reply", None)
        if reply is not None:
            reply.answer(answer(event) if callable(answer) else answer)  # type: ignore[arg-type]
        events.append(event)
    assert isinstance(agent.model, ScriptedModel)
    return Run(events, agent.model, agent)


# The exchanges each agent has had in these tests (a Session keeps them in its tree).
HISTORY: weakref.WeakKeyDictionary[Agent, list[list[Message]]] = weakref.WeakKeyDictionary()


def agent_for(root: Path, model: ScriptedModel, **kwargs: object) -> Agent:
    """An agent over the real index of `root`."""
    return Agent(model, root=root, index=IndexAdapter(ProjectIndex.open(root)), **kwargs)  # type: ignore[arg-type]
