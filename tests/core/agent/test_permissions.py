from __future__ import annotations

import pytest

from app.core.agent.modes import Mode, tools_for
from app.core.agent.permissions import Permissions, Rule, always_pattern, split_command


def test_defaults_read_allow_edit_ask_run_ask() -> None:
    p = Permissions()
    assert p.evaluate("read", "src/a.py") == "allow"
    assert p.evaluate("edit", "src/a.py") == "ask"
    assert p.evaluate_command("pytest -q") == "ask"


def test_last_matching_rule_wins() -> None:
    p = Permissions.from_config({"edit": {"*": "allow", "migrations/*": "deny"}})
    assert p.evaluate("edit", "src/a.py") == "allow"
    assert p.evaluate("edit", "migrations/0001.py") == "deny"
    p.add(Rule("edit", "*", "ask"))
    assert p.evaluate("edit", "migrations/0001.py") == "ask"


def test_command_prefix_rules() -> None:
    p = Permissions.from_config({"run": {"pytest *": "allow", "rm *": "deny"}})
    assert p.evaluate_command("pytest") == "allow"
    assert p.evaluate_command("pytest -q tests/test_a.py") == "allow"
    assert p.evaluate_command("pytestx") == "ask"
    assert p.evaluate_command("rm -rf build") == "deny"


@pytest.mark.parametrize(
    "command", ["pytest && rm -rf /", "pytest; curl x", "pytest | sh", "pytest $(rm x)", "pytest `rm x`"]
)
def test_an_allowed_prefix_does_not_let_a_chained_command_through(command: str) -> None:
    p = Permissions.from_config({"run": {"pytest *": "allow"}})
    assert p.evaluate_command(command) != "allow"


def test_split_command_respects_quotes() -> None:
    assert split_command('echo "a && b" && ls') == ['echo "a && b"', "ls"]


def test_always_patterns() -> None:
    assert always_pattern("run", "pytest -q tests") == "pytest *"
    assert always_pattern("run", "git commit -m x") == "git commit *"
    assert always_pattern("run", "npm run test -- --watch") == "npm run test *"
    assert always_pattern("edit", "a.py") == "a.py"


def test_remember_always_allows_later_matching_subjects() -> None:
    p = Permissions()
    p.remember_always("run", always_pattern("run", "pytest -q"))
    assert p.evaluate_command("pytest tests/test_b.py") == "allow"
    assert p.evaluate_command("make") == "ask"


def test_bad_action_in_config_is_refused() -> None:
    with pytest.raises(ValueError, match="allow, ask or deny"):
        Permissions.from_config({"run": {"*": "sure"}})


def test_a_tool_denied_everywhere_is_not_offered() -> None:
    p = Permissions.from_config({"run": "deny"})
    names = [t.spec.name for t in tools_for(Mode.BUILD, permissions=p)]
    assert "run" not in names and "edit" in names
    p2 = Permissions.from_config({"run": {"*": "deny", "pytest *": "allow"}})
    assert "run" in [t.spec.name for t in tools_for(Mode.BUILD, permissions=p2)]
