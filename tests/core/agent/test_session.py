"""The core Session: the conversation tree, permissions and undo outlive models, indexes and agents."""

from __future__ import annotations

from pathlib import Path

from app.core.agent import AgentOptions, Mode, ScriptedModel
from app.core.agent.events import EditProposed, EditResolved, Event, PermissionRequest, TurnDone
from app.core.agent.index_adapter import IndexAdapter
from app.core.cancel import CancelToken
from app.core.index import ProjectIndex
from app.core.session import Session
from tests.core.agent.helpers import CALC, call

FIXED = CALC.replace("return a - b\n\n\ndef sub", "return a + b\n\n\ndef sub")


def ask(session: Session, model: ScriptedModel, text: str, *, answer: str = "once") -> list[Event]:
    """What the UI does: a user turn and an empty reply under it, then the reply job on the model thread."""
    conversation = session.conversation
    user = conversation.ask(text)
    reply = conversation.add("assistant", "", parent=user.id)
    events: list[Event] = []
    for event in session.reply(reply.id, mode=Mode.BUILD)(model, CancelToken()):
        slot = getattr(event, "reply", None)
        if slot is not None:
            slot.answer(answer)
        events.append(event)
    return events


def write(path: str, content: str) -> str:
    return call("write", path=path, content=content)


def index_of(root: Path) -> IndexAdapter:
    return IndexAdapter(ProjectIndex.open(root))


def test_always_survives_the_background_index_finishing(project: Path) -> None:
    session = Session(project, options=AgentOptions(sandbox=True))
    model = ScriptedModel([write("calc.py", FIXED), "done", write("calc.py", FIXED + "\n# more\n"), "done"])
    first = ask(session, model, "fix add", answer="always")  # no index yet: the first question
    assert [type(e) for e in first if isinstance(e, EditProposed | EditResolved)] == [
        EditProposed,
        EditResolved,
    ]
    session.set_index(index_of(project))  # the background build finished
    second = ask(session, model, "add a comment", answer="reject")
    proposed = [e for e in second if isinstance(e, EditProposed)]
    assert proposed and proposed[0].reply is None  # "always" for calc.py still holds: no question
    assert (project / "calc.py").read_text().endswith("# more\n")


def test_the_first_question_does_not_build_an_index_of_its_own(project: Path, monkeypatch) -> None:
    opened: list[Path] = []
    real_open = ProjectIndex.open
    monkeypatch.setattr(
        ProjectIndex,
        "open",
        classmethod(lambda cls, root, **kw: opened.append(root) or real_open(root, **kw)),
    )
    session = Session(project, options=AgentOptions(sandbox=True))
    events = ask(session, ScriptedModel([call("list", path="."), "it has calc.py"]), "what is here?")
    assert opened == []
    assert "calc.py" in "".join(getattr(e, "output", "") for e in events)
    assert isinstance(events[-1], TurnDone) and events[-1].reason == "answered"


def test_undo_survives_a_model_switch(project: Path) -> None:
    session = Session(project, options=AgentOptions(sandbox=True))
    session.set_index(index_of(project))
    ask(session, ScriptedModel([write("calc.py", FIXED), "done"]), "fix add")
    assert (project / "calc.py").read_text() == FIXED
    other = ScriptedModel(["hello"])  # the user picked another model
    ask(session, other, "hi")
    assert session.undo() == "calc.py"
    assert (project / "calc.py").read_text() == CALC


def test_always_on_one_edit_covers_that_file_only(project: Path) -> None:
    session = Session(project, options=AgentOptions(sandbox=True))
    session.set_index(index_of(project))
    model = ScriptedModel(
        [write("calc.py", FIXED), "done", write("pkg/util.py", "def helper():\n    return 2\n"), "done"]
    )
    ask(session, model, "fix add", answer="always")
    events = ask(session, model, "change helper", answer="reject")
    proposed = [e for e in events if isinstance(e, EditProposed)]
    assert proposed and proposed[0].reply is not None  # another file: asked again
    assert (project / "pkg" / "util.py").read_text() == "def helper():\n    return 1\n"


def test_always_for_a_command_survives_an_agent_rebuild(project: Path) -> None:
    session = Session(project, options=AgentOptions(sandbox=True))
    model = ScriptedModel([call("run", command="echo one"), "ok", call("run", command="echo two"), "ok"])
    first = ask(session, model, "run it", answer="always")
    session.set_index(index_of(project))
    second = ask(session, model, "again", answer="reject")
    asked = [e for e in first + second if isinstance(e, PermissionRequest)]
    from app.core.agent.sandbox import bubblewrap

    # Without bubblewrap every run is asked (it is not confined); with it, "always" holds.
    assert len(asked) == (1 if bubblewrap() else 2)


def test_the_reply_is_recorded_in_the_tree_and_the_next_turn_sees_it(project: Path) -> None:
    session = Session(project, options=AgentOptions(sandbox=True))
    session.set_index(index_of(project))
    model = ScriptedModel(["calc.py adds numbers", "you asked about calc.py"])
    ask(session, model, "what is calc.py?")
    leaf = session.conversation.leaf()
    assert leaf is not None and leaf.role == "assistant"
    assert leaf.payload and leaf.payload[0] == {"role": "user", "content": "what is calc.py?"}
    ask(session, model, "what did I ask?")
    seen = model.calls[-1].messages
    assert any(m.get("content") == "what is calc.py?" for m in seen)


def test_a_new_chat_starts_empty_and_keeps_the_undo_stack(project: Path) -> None:
    session = Session(project, options=AgentOptions(sandbox=True))
    session.set_index(index_of(project))
    model = ScriptedModel([write("calc.py", FIXED), "done", "a fresh answer"])
    ask(session, model, "fix add", answer="always")
    old = session.conversation
    session.state.pinned.append("calc.py")
    fresh = session.new_chat()
    assert fresh is session.conversation and fresh is not old and fresh.leaf() is None
    assert session.state.pinned == []
    ask(session, model, "hello")
    assert not any(m.get("content") == "fix add" for m in model.calls[-1].messages)  # no old history
    assert session.undo() == "calc.py"  # the accepted edit can still be undone
