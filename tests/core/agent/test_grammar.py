from __future__ import annotations

from app.core.agent.grammar import tool_call_grammar
from app.core.agent.modes import Mode, tools_for
from app.core.agent.permissions import Permissions


def test_the_grammar_for_every_tool_compiles_in_llama_cpp() -> None:
    from llama_cpp import LlamaGrammar

    specs = [t.spec for t in tools_for(Mode.BUILD, permissions=Permissions())]
    gbnf = tool_call_grammar(specs)
    assert LlamaGrammar.from_string(gbnf, verbose=False) is not None
    for spec in specs:
        assert f'"\\"{spec.name}\\""' in gbnf


def test_plan_grammar_cannot_name_a_write_tool() -> None:
    gbnf = tool_call_grammar([t.spec for t in tools_for(Mode.PLAN, permissions=Permissions())])
    for name in ("edit", "write", "run"):
        assert f'"\\"{name}\\""' not in gbnf
