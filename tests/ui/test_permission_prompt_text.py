"""The permission question renders the reason's `code` and **bold**, and nothing else as markup."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.ui.permission_prompt import PermissionPrompt, inline_markdown


def test_backticks_become_code_and_html_stays_text(qtbot):
    assert inline_markdown("run `pytest -q` **now** <img src=x>") == (
        "run <code>pytest -q</code> <b>now</b> &lt;img src=x&gt;"
    )
    prompt = PermissionPrompt(
        tool="run", subject="pytest -q", reason="runs `pytest`", always_pattern="pytest *"
    )
    qtbot.addWidget(prompt)
    texts = [label.text() for label in prompt.findChildren(QLabel)]
    assert "runs <code>pytest</code>" in texts
    assert not any("`" in text for text in texts)
