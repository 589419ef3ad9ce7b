"""GBNF grammars that make a tool call well-formed once `<tool_call>` has opened.

The grammar covers `{"name": <one of the offered tools>, "arguments": {...}}` with each
tool's own parameters (required ones always, optional ones in schema order). Strings and
whitespace are bounded (strings are printable ASCII, other characters escaped) so even a random-weight model finishes the call in a few hundred tokens.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from app.core.agent.tools.base import Param, ToolSpec

MAX_STRING = 160


def tool_call_grammar(specs: Sequence[ToolSpec]) -> str:
    """A llama.cpp GBNF grammar for one hermes tool call to any of `specs`."""
    if not specs:
        raise ValueError("no tools to call")
    rules: list[str] = []
    alts = []
    for spec in specs:
        rid = _rule_id(spec.name)
        alts.append(f"call-{rid}")
        rules.append(
            f'call-{rid} ::= {_lit(json.dumps(spec.name))} ws "," ws "\\"arguments\\"" ws ":" ws args-{rid}'
        )
        rules.extend(_args_rules(rid, spec))
    head = 'root ::= "{" ws "\\"name\\"" ws ":" ws (' + " | ".join(alts) + ') ws "}"'
    common = [
        'ws ::= " "?',
        f'string ::= "\\"" char{{0,{MAX_STRING}}} "\\""',
        # Printable ASCII; anything else as a JSON escape. Keeps every character one token
        # wide, so a call cannot run out of tokens inside a string.
        'char ::= [ !#-\\[\\]-~] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})',
        'integer ::= "-"? [0-9]{1,9}',
        'boolean ::= "true" | "false"',
    ]
    return "\n".join([head, *rules, *common]) + "\n"


def _args_rules(rid: str, spec: ToolSpec) -> list[str]:
    required = [(n, p) for n, p in spec.params.items() if p.required]
    optional = [(n, p) for n, p in spec.params.items() if not p.required]
    rules = [
        f'p-{rid}-{_rule_id(n)} ::= {_lit(json.dumps(n))} ws ":" ws {_value(p)}'
        for n, p in spec.params.items()
    ]
    opt_ids = [f"p-{rid}-{_rule_id(n)}" for n, _ in optional]
    # tail-i: optional parameters after position i, each preceded by a comma.
    for i in range(len(opt_ids) + 1):
        choices = [f'"," ws {opt_ids[j]} tail-{rid}-{j + 1}' for j in range(i, len(opt_ids))]
        rules.append(
            f"tail-{rid}-{i} ::= " + (" | ".join(f"({c})" for c in choices) + " | " if choices else "") + '""'
        )
    if required:
        req = ' "," ws '.join(f"p-{rid}-{_rule_id(n)}" for n, _ in required)
        body = f"{req} tail-{rid}-0"
    elif opt_ids:
        firsts = [f"{opt_ids[j]} tail-{rid}-{j + 1}" for j in range(len(opt_ids))]
        body = "(" + " | ".join(f"({f})" for f in firsts) + ")?"
    else:
        body = '""'
    rules.append(f'args-{rid} ::= "{{" ws {body} ws "}}"')
    return rules


def _value(param: Param) -> str:
    if param.enum:
        return "(" + " | ".join(_lit(json.dumps(v)) for v in param.enum) + ")"
    return {"integer": "integer", "boolean": "boolean"}.get(param.type, "string")


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rule_id(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]", "-", name).lower()
