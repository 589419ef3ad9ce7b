"""Syntax diagnostics: tree-sitter ERROR and MISSING nodes with 1-based line and column."""

from __future__ import annotations

import tree_sitter

from app.core.index.budget import FileBudget, OverBudget, budget_seconds, parse_within
from app.core.index.languages import load_language
from app.core.index.records import SyntaxDiagnostic

MAX_DIAGNOSTICS = 50


def collect_diagnostics(
    root: tree_sitter.Node, *, limit: int = MAX_DIAGNOSTICS
) -> tuple[SyntaxDiagnostic, ...]:
    """ERROR and MISSING nodes under `root`, in source order, at most `limit`."""
    if not root.has_error:
        return ()
    found: list[SyntaxDiagnostic] = []
    stack = [root]
    while stack and len(found) < limit:
        node = stack.pop()
        if node.is_missing:
            found.append(_diagnostic(node, kind="missing", message=f"missing {node.type}"))
            continue
        if node.is_error:
            found.append(_diagnostic(node, kind="error", message=_error_message(node)))
            # Errors nested inside an error add noise, not information.
            continue
        # Only subtrees that contain an error are worth entering.
        stack.extend(reversed([child for child in node.children if child.has_error or child.is_missing]))
    return tuple(found)


def syntax_diagnostics(text: str | bytes, language: str) -> tuple[SyntaxDiagnostic, ...]:
    """Parse `text` as `language` and report its syntax errors (empty when clean or unknown)."""
    lang = load_language(language)
    if lang is None:
        return ()
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        tree = parse_within(lang, data, budget=FileBudget(budget_seconds(len(data))))
    except OverBudget:
        return ()  # unknown, like an unsupported language: the edit goes ahead unchecked
    return collect_diagnostics(tree.root_node)


def _diagnostic(node: tree_sitter.Node, *, kind: str, message: str) -> SyntaxDiagnostic:
    return SyntaxDiagnostic(
        line=node.start_point[0] + 1,
        column=node.start_point[1] + 1,
        end_line=node.end_point[0] + 1,
        end_column=node.end_point[1] + 1,
        kind="missing" if kind == "missing" else "error",
        message=message,
    )


def _error_message(node: tree_sitter.Node) -> str:
    snippet = (node.text or b"")[:40].decode("utf-8", "replace").split("\n", 1)[0].strip()
    return f"syntax error near {snippet!r}" if snippet else "syntax error"
