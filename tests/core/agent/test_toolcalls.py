from __future__ import annotations

import pytest

from app.core.agent.tool_call_parser import split_reply

TOOLS = frozenset({"read", "grep", "edit"})


@pytest.mark.parametrize(
    ("reply", "name", "arguments"),
    [
        (
            '<tool_call>\n{"name": "read", "arguments": {"path": "a.py"}}\n</tool_call>',
            "read",
            {"path": "a.py"},
        ),
        # json5: single quotes, unquoted keys, trailing comma
        ("<tool_call>{'name': 'read', arguments: {path: 'a.py',},}</tool_call>", "read", {"path": "a.py"}),
        # arguments double-encoded as a string
        (
            '<tool_call>{"name": "read", "arguments": "{\\"path\\": \\"a.py\\"}"}</tool_call>',
            "read",
            {"path": "a.py"},
        ),
        # an unclosed call at the end of the reply
        (
            'Let me look.\n<tool_call>\n{"name": "grep", "arguments": {"pattern": "x"}}',
            "grep",
            {"pattern": "x"},
        ),
        # missing closing braces: rescued
        ('<tool_call>{"name": "read", "arguments": {"path": "a.py"</tool_call>', "read", {"path": "a.py"}),
        # OpenAI-style nesting
        (
            '<tool_call>{"function": {"name": "read", "arguments": {"path": "a.py"}}}</tool_call>',
            "read",
            {"path": "a.py"},
        ),
        # a ```json block when the model forgets the tags
        (
            'I will read it.\n```json\n{"name": "read", "arguments": {"path": "a.py"}}\n```',
            "read",
            {"path": "a.py"},
        ),
        # bare JSON as the whole reply
        ('{"name": "grep", "arguments": {"pattern": "def"}}', "grep", {"pattern": "def"}),
    ],
)
def test_lenient_parsing_finds_the_call(reply: str, name: str, arguments: dict) -> None:
    split = split_reply(reply, tool_names=TOOLS)
    assert len(split.calls) == 1
    assert split.calls[0].error == ""
    assert split.calls[0].name == name
    assert split.calls[0].arguments == arguments


def test_visible_text_excludes_the_call_markup() -> None:
    split = split_reply(
        'Looking now.\n<tool_call>\n{"name": "read", "arguments": {"path": "a"}}\n</tool_call>\n'
    )
    assert split.text == "Looking now."


def test_garbage_inside_tool_call_is_an_error_not_a_crash() -> None:
    split = split_reply("<tool_call>please read the file</tool_call>", tool_names=TOOLS)
    assert split.calls[0].error
    assert "JSON" in split.calls[0].error


def test_json_fallback_ignores_objects_that_do_not_name_a_tool() -> None:
    reply = 'The config is:\n```json\n{"name": "my-package", "version": "1.0"}\n```'
    assert split_reply(reply, tool_names=TOOLS).calls == ()


def test_tool_call_text_inside_a_code_block_is_code() -> None:
    reply = 'x.py\n```python\nMARK = "<tool_call>"\n```\n'
    split = split_reply(reply, tool_names=TOOLS)
    assert split.calls == ()
    assert '"<tool_call>"' in split.text


def test_code_after_the_json_is_attached() -> None:
    split = split_reply(
        '<tool_call>{"name": "edit", "arguments": {"path": "a.py"}}\n<code>x = 1</code></tool_call>'
    )
    assert split.calls[0].attached == "<code>x = 1</code>"


def test_several_calls_in_one_reply() -> None:
    reply = '<tool_call>{"name": "read", "arguments": {"path": "a"}}</tool_call><tool_call>{"name": "read", "arguments": {"path": "b"}}</tool_call>'
    assert [c.arguments["path"] for c in split_reply(reply).calls] == ["a", "b"]
