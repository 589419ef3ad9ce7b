"""The agent through real llama.cpp: a complete tool round trip, and the prompt budget."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from app.core.agent import Agent, AgentOptions, Mode, TurnRequest
from app.core.agent.events import ToolCallFinished, ToolCallStarted, TurnDone
from app.core.agent.index_adapter import IndexBeingBuilt
from app.core.agent.modes import tools_for
from app.core.agent.permissions import Permissions
from app.core.agent.prompts import system_prompt
from app.core.cancel import CancelToken
from app.core.runtime.chat_template import ChatTemplate, Message
from app.core.runtime.generation import Sampling, StreamItem
from app.core.runtime.local_model import LocalModel
from tests.support.tiny_gguf import TEMPLATES

pytestmark = pytest.mark.integration
PLAN_TOOLS = {"read", "list", "glob", "grep", "symbols", "map", "context"}


class Recording:
    """A real model with a record of the messages each call was given."""

    def __init__(self, model: LocalModel) -> None:
        self.model = model
        self.n_ctx = model.n_ctx
        self.count_tokens = model.count_tokens
        self.prompts: list[tuple[list[Message], str | None]] = []

    def chat(
        self, messages: Sequence[Message], *, tools: Sequence[Mapping[str, Any]] | None = None, **kw: Any
    ) -> Iterator[StreamItem]:
        self.prompts.append((list(messages), kw.get("grammar")))
        return self.model.chat(messages, tools=tools, **kw)


@pytest.fixture(scope="module", params=["qwen2", "qwen3"])
def tiny_model(request: pytest.FixtureRequest, tiny_qwen2: Path, tiny_qwen3: Path) -> Iterator[LocalModel]:
    model = LocalModel.load(tiny_qwen2 if request.param == "qwen2" else tiny_qwen3, n_ctx=4096)
    yield model
    model.close()


@pytest.mark.parametrize("seed", [0])
def test_a_random_weight_qwen_makes_a_well_formed_call_through_the_grammar(
    tiny_model: LocalModel, tmp_path: Path, seed: int
) -> None:
    (tmp_path / "app.py").write_text(
        'END = "<|im_end|>"\nCALL = "<tool_call>"\n\n\ndef main():\n    return 0\n'
    )
    model = Recording(tiny_model)
    options = AgentOptions(
        max_steps=2, force_first_call=True, sampling=Sampling(temperature=0.8, seed=seed, max_tokens=48)
    )
    agent = Agent(model, root=tmp_path, index=IndexBeingBuilt(tmp_path), options=options)  # type: ignore[arg-type]
    events = list(
        agent.run_turn(TurnRequest("What is in this project?", mode=Mode.PLAN), cancel=CancelToken())
    )
    started = [e for e in events if isinstance(e, ToolCallStarted)]
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    # The grammar made the call well-formed: a real tool name and arguments that validate.
    assert started and started[0].name in PLAN_TOOLS
    for bad in ("not valid JSON", "invalid arguments", "no tool named"):
        assert bad not in finished[0].output
    # Round trip: the tool's output went back to the model in the next step's prompt.
    grammar_calls = [g for _, g in model.prompts if g is not None]
    assert len(grammar_calls) == 1
    last_messages, last_grammar = model.prompts[-1]
    assert last_grammar is None
    assert last_messages[-1] == {"role": "tool", "content": finished[0].output}
    assert last_messages[-2]["tool_calls"][0]["name"] == started[0].name
    done = events[-1]
    assert isinstance(done, TurnDone) and done.steps == 2 and done.completion_tokens > 0


def test_system_prompt_and_tool_schemas_stay_under_1500_tokens(demo_model: Path) -> None:
    # Qwen's tokenizer is not available offline; SmolLM2's 49k-entry BPE is a stricter proxy
    # (Qwen's 151k vocabulary packs the same English and JSON into fewer tokens).
    model = LocalModel.load(demo_model, n_ctx=512)
    try:
        template = ChatTemplate((TEMPLATES / "qwen3.jinja").read_text())
        for mode in (Mode.PLAN, Mode.BUILD):
            schemas = [t.spec.schema() for t in tools_for(mode, permissions=Permissions())]
            segments = template.render(
                [{"role": "system", "content": system_prompt(mode)}],
                tools=schemas,
                add_generation_prompt=False,
            )
            tokens = model.count_tokens("".join(s.text for s in segments))
            assert 300 < tokens < 1500, (mode, tokens)
    finally:
        model.close()
