"""Inline code completion: fill-in-the-middle with a local model (Qt-free)."""

from __future__ import annotations

from app.core.completion.engine import Completion, CompletionEngine
from app.core.completion.fim_format import FimTokens, fim_tokens
from app.core.completion.repo_context import RepoContext

__all__ = ["Completion", "CompletionEngine", "FimTokens", "RepoContext", "fim_tokens"]
