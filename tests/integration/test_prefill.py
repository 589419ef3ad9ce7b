"""Background prefill: the static start of the next prompt is evaluated before the question, and reused."""

from __future__ import annotations

from pathlib import Path

from app.core.agent import Mode
from app.core.agent.index_adapter import IndexAdapter
from app.core.cancel import CancelToken
from app.core.index import ProjectIndex
from app.core.runtime.generation import GenerationDone, Sampling
from app.core.runtime.local_model import LocalModel
from app.core.session import ContextPrepared, Session


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n")
    return root


def test_a_prefilled_prefix_is_not_evaluated_again(qwen2_model: LocalModel) -> None:
    system = {"role": "system", "content": "You are a careful assistant. " * 20}
    project = {"role": "user", "content": "Project map:\ncalc.py\n  def add(a, b)\n" * 5}
    qwen2_model.prefill([{"role": "system", "content": "something else entirely"}], cancel=CancelToken())
    evaluated = qwen2_model.prefill([system, project], cancel=CancelToken())
    assert evaluated > 100
    assert qwen2_model.prefill([system, project], cancel=CancelToken()) == 0  # already cached
    done = None
    question = {"role": "user", "content": "What does add do?"}
    for item in qwen2_model.chat(
        [system, project, question], sampling=Sampling.greedy(max_tokens=2), cancel=CancelToken()
    ):
        if isinstance(item, GenerationDone):
            done = item
    assert done is not None
    assert done.stats.cached_tokens >= evaluated - 2  # the question found the prefix in the KV cache
    assert done.stats.prompt_tokens - done.stats.cached_tokens < 40  # only the question was read


def test_a_cancelled_prefill_stops_between_batches(qwen2_model: LocalModel) -> None:
    cancel = CancelToken()
    cancel.cancel()
    long = {"role": "system", "content": "word " * 3000}
    assert qwen2_model.prefill([long], cancel=cancel) == 0


def test_the_session_prepares_the_agent_s_prompt_start(tiny_qwen2: Path, tmp_path: Path) -> None:
    # The tiny model's byte-level vocabulary makes the system prompt and tool schemas long.
    qwen2_model = LocalModel.load(tiny_qwen2, n_ctx=16384, gpu="off")
    root = _project(tmp_path)
    session = Session(root)
    session.set_index(IndexAdapter(ProjectIndex.open(root)))
    events = list(session.prepare(mode=Mode.PLAN)(qwen2_model, CancelToken()))
    assert len(events) == 1 and isinstance(events[0], ContextPrepared)
    assert events[0].complete and events[0].evaluated > 50
    assert events[0].tokens == qwen2_model.held_tokens >= events[0].evaluated  # what the gauge shows
    again = list(session.prepare(mode=Mode.PLAN)(qwen2_model, CancelToken()))
    assert again[0].evaluated == 0  # nothing changed: nothing to read
    # The question's own turn reads only what follows the prepared start.
    user = session.conversation.ask("what does add do?")
    reply = session.conversation.add("assistant", "", parent=user.id)
    prompts: list[int] = []
    real_stream = qwen2_model.stream

    def counting(prompt, **kwargs):  # type: ignore[no-untyped-def]
        for item in real_stream(prompt, **kwargs):
            if isinstance(item, GenerationDone):
                prompts.append(item.stats.prompt_tokens - item.stats.cached_tokens)
            yield item

    qwen2_model.stream = counting  # type: ignore[method-assign]
    try:
        for event in session.reply(reply.id, mode=Mode.PLAN)(qwen2_model, CancelToken()):
            slot = getattr(event, "reply", None)
            if slot is not None:
                slot.answer("reject")
    finally:
        qwen2_model.close()
    assert prompts and prompts[0] < events[0].evaluated // 2
