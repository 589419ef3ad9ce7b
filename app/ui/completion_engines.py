"""The completion thread's side: loading a FIM model, and the engine per model and project.

Everything here runs on the completion `ModelWorker`'s thread, except `language_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.cancel import CancelToken
from app.core.settings import Settings

if TYPE_CHECKING:
    from app.core.completion import CompletionEngine

EngineFactory = Callable[..., "CompletionEngine"]
N_CTX = 4096  # the prompt's budgets (context, prefix, suffix) and the reply fit in this
MAX_CONTEXT_FILE = 1 << 20  # files read for linked definitions are at most this big


class CompletionEngines:
    """The engine for the loaded model and the open project; touched on the worker thread only."""

    def __init__(self, factory: EngineFactory | None = None) -> None:
        self._factory = factory
        self._engine: CompletionEngine | None = None
        self._model: Any = None
        self._root: Path | None = None
        self._index: Any = None

    def get(self, model: Any, *, root: Path | None, index: Any) -> CompletionEngine:
        """The engine for `model` in project `root` (a new one when either changed)."""
        self._index = index
        if self._engine is None or model is not self._model or root != self._root:
            from app.core.completion import CompletionEngine, RepoContext

            self._model, self._root = model, root
            context = RepoContext(find_symbol=self._find_symbol, read=self._read) if root else RepoContext()
            factory = self._factory or CompletionEngine
            self._engine = factory(model, repo_name=root.name if root else "", context=context)
        return self._engine

    def forget(self) -> None:
        """Drop the engine, and with it the context ring and the cache (on the worker thread)."""
        self._engine = None

    def _find_symbol(self, name: str) -> list[Any]:
        index = self._index
        return list(index.find_symbol(name)) if index is not None else []

    def _read(self, rel: str) -> str | None:
        from app.core.text_file import decode_text, looks_binary

        if self._root is None:
            return None
        path = (self._root / rel).resolve()
        try:
            if not path.is_relative_to(self._root) or path.stat().st_size > MAX_CONTEXT_FILE:
                return None
            data = path.read_bytes()
        except OSError:
            return None
        return None if looks_binary(data) else decode_text(data)[0]


def completion_loader(
    path: Path, *, settings: Settings
) -> Callable[[CancelToken, Callable[[str], None]], Any]:
    """A `ModelWorker` loader for the completion model at `path`; a model that cannot fill in the middle fails."""

    def load(cancel: CancelToken, progress: Callable[[str], None]) -> Any:
        from app.core import services
        from app.core.completion import fim_tokens

        model = services.load_model_file(
            path, settings=settings, n_ctx=N_CTX, cancel=cancel, progress=progress
        )
        try:
            fim_tokens(model, architecture=model.info.architecture, name=model.info.name)
        except Exception:
            model.close()
            raise  # "cannot complete code: no fill-in-the-middle tokens" goes to the status bar
        return model

    return load


def language_of(path: Path) -> str:
    """The language name completion settings use for `path` ("python"; the index's names)."""
    from app.core.index.languages import language_for_path
    from app.ui.highlighter import language_for

    return (
        language_for_path(path.name) or language_for(path.name) or path.suffix.lstrip(".").lower() or "text"
    )
