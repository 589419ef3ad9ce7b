"""The one place that wires Enclave's parts for both front ends: models, indexes and sessions.

The CLI (`chat`, `ask`, the project commands) and the GUI (its model thread, its index
runner, its chat) call these and nothing else to resolve, probe, load and describe a
model, open an index, and start a session, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.cancel import CancelToken
from app.core.settings import Settings

if TYPE_CHECKING:
    from app.core.agent.agent import AgentOptions
    from app.core.index import ProjectIndex
    from app.core.remote.remote_model import RemoteInfo, RemoteModel
    from app.core.runtime.local_model import LocalModel, ModelInfo
    from app.core.session import Session

Progress = Callable[[str], None]


def load_model(
    spec: str | None,
    *,
    settings: Settings,
    n_ctx: int | None = None,
    cancel: CancelToken,
    progress: Progress | None = None,
) -> LocalModel:
    """The model `spec` names (a path or an installed id; None: the user's choice or the best installed).

    Raises:
        NoModelError: nothing is installed (or the id is not).
        ModelFileError: no such file, or not a model this build can run.
        ModelLoadError: llama.cpp cannot run it here, with any setting the probe tried.
        EnclaveError: it does not fit in memory.
        Cancelled: `cancel` was set.

    """
    from app.core.store.resolve import resolve_model

    return load_model_file(
        resolve_model(spec, settings=settings),
        settings=settings,
        n_ctx=n_ctx,
        cancel=cancel,
        progress=progress,
    )


def completion_model_path(spec: str | None, *, settings: Settings) -> Path:
    """The completion model to run: `spec` (a path or id), the settings' choice, else the best installed.

    Raises:
        ModelFileError: `spec` names no file and no installed model.
        NoModelError: no completion model is installed.

    """
    from app.core.errors import NoModelError
    from app.core.store.catalog import load_catalog
    from app.core.store.location import StoreLocation
    from app.core.store.manifest import Manifest
    from app.core.store.resolve import best_installed, resolve_model

    if spec or settings.completion_model:
        return resolve_model(spec or settings.completion_model)
    manifest = Manifest.load(StoreLocation.default().manifest_file)
    best = best_installed(manifest, catalog=load_catalog(), role="completion")
    if best is None:
        raise NoModelError(
            "no completion model installed: run `enclave models download qwen2.5-coder-0.5b` "
            "(or 1.5b), or pass --model FILE"
        )
    return best.path


def open_completion(
    *,
    settings: Settings,
    spec: str | None = None,
    endpoint: str | None = None,
    project: Path | None = None,
    repo_name: str = "",
    context: Any = None,
    cancel: CancelToken,
    progress: Progress | None = None,
) -> Any:
    """The completion engine for the completion role: a local FIM model, or an endpoint.

    `endpoint` names one outright; else `spec` (a local path or id); else the role's setting
    (`completion_model`: `endpoint:NAME`, a path or id, or "" for the best installed). The
    caller closes `engine.model` when done.

    Raises:
        NoModelError: no completion model is installed.
        EnclaveError: the model cannot fill in the middle, or the endpoint is refused (policy,
            local-only project) or unknown.
        RemoteError: the endpoint cannot be reached.
        Cancelled: `cancel` was set while the model loaded.

    """
    from app.core.completion import CompletionEngine
    from app.core.completion.remote_engine import RemoteCompletionEngine

    name = endpoint or (None if spec else role_endpoint("completion", settings=settings, project=project))
    if name:
        remote = open_endpoint(name, settings=settings, project=project, cancel=cancel)
        try:
            return RemoteCompletionEngine(remote, repo_name=repo_name, context=context)
        except BaseException:
            remote.close()
            raise
    if not spec and settings.completion_model.startswith("endpoint:"):
        spec = None  # the endpoint is refused here (policy or local-only): the best local one
        settings = replace(settings, completion_model="")
    model = load_model_file(
        completion_model_path(spec, settings=settings),
        settings=settings,
        n_ctx=8192,
        cancel=cancel,
        progress=progress,
    )
    try:
        return CompletionEngine(model, repo_name=repo_name, context=context)
    except BaseException:
        model.close()
        raise


def load_model_file(
    path: Path,
    *,
    settings: Settings,
    n_ctx: int | None = None,
    cancel: CancelToken,
    progress: Progress | None = None,
) -> LocalModel:
    """Validate, check against memory, probe once (in a child), then load `path` in-process.

    Every way a model arrives ends here: a download, an import, a dropped file, the picker,
    `--model FILE`, a folder in `extra_model_dirs`, the demo.
    """
    from app.core.runtime.local_model import LocalModel
    from app.core.store.resolve import sha256_of_installed

    return LocalModel.load(
        path,
        n_ctx=n_ctx or settings.n_ctx,
        n_threads=settings.n_threads,
        gpu=settings.gpu,
        sha256=sha256_of_installed(path),
        cancel=cancel,
        progress=progress,
    )


def open_endpoint(
    name: str,
    *,
    settings: Settings,
    project: Path | None = None,
    cancel: CancelToken | None = None,
) -> RemoteModel:
    """The model behind the configured endpoint `name`, its key from the keyring.

    The network guard lets through exactly that endpoint's addresses until `close()`.

    Raises:
        EnclaveError: no such endpoint, a policy lock, a local-only `project`, a bad CA bundle.
        RemoteError: the server cannot be reached or refuses (one line saying why).

    """
    from app.core.remote import registry
    from app.core.remote.keys import key_store
    from app.core.remote.remote_model import RemoteModel

    endpoint = registry.find(settings, name)
    return RemoteModel.open(
        endpoint,
        api_key=key_store().get(name),
        ca_bundle=settings.ca_bundle,
        project=project,
        cancel=cancel,
    )


def role_endpoint(role: str, *, settings: Settings, project: Path | None = None) -> str | None:
    """The endpoint `role` (agent, chat) should use now, or None for the local model.

    A role set to an endpoint falls back to the local model under a policy lock or in a
    local-only project: the policy wins over a preference, and nothing is sent.
    """
    from app.core.errors import EnclaveError
    from app.core.remote import registry
    from app.core.remote.policy import check_remote_allowed

    name = registry.role_endpoint(settings, role)
    if name is None:
        return None
    try:
        check_remote_allowed(project)
    except EnclaveError:
        return None
    return name


def load_role_model(
    role: str,
    *,
    settings: Settings,
    spec: str | None = None,
    endpoint: str | None = None,
    project: Path | None = None,
    n_ctx: int | None = None,
    cancel: CancelToken,
    progress: Progress | None = None,
) -> LocalModel | RemoteModel:
    """The model for `role`: `endpoint` if named, else `spec` (local), else the role's setting."""
    name = endpoint if endpoint else None if spec else role_endpoint(role, settings=settings, project=project)
    if name:
        return open_endpoint(name, settings=settings, project=project, cancel=cancel)
    return load_model(spec, settings=settings, n_ctx=n_ctx, cancel=cancel, progress=progress)


def describe_model(info: ModelInfo | RemoteInfo | None, *, name: str = "") -> str:
    """One line for a status bar or a terminal: name, backend, and what the probe turned off.

    `name` replaces the model's own (a GGUF's `general.name` is often a training tag).
    """
    from app.core.runtime.load_settings import short_off

    if info is None:
        return "No model"
    name = name or info.name
    host = getattr(info, "host", "")
    if host:
        return f"{name} · Remote: {host}"
    off = short_off(info.turned_off)
    return f"{name} · {info.backend.upper()}" + (f" · {off}" if off else "")


def new_index(root: Path, *, background: bool = False, max_files: int | None = None) -> ProjectIndex:
    """An index of `root` to build (its `build()` yields progress), with the walk's file limit."""
    from app.core.index import ProjectIndex

    kwargs: dict[str, Any] = {"background": background}
    if max_files is not None:
        kwargs["max_files"] = max_files
    return ProjectIndex(root, **kwargs)


def open_index(
    root: Path, *, workers: int | None = None, max_files: int | None = None, cancel: CancelToken | None = None
) -> ProjectIndex:
    """The built index of `root`.

    Raises:
        Cancelled: `cancel` was set.

    """
    from app.core.index import ProjectIndex

    kwargs: dict[str, Any] = {"workers": workers, "cancel": cancel}
    if max_files is not None:
        kwargs["max_files"] = max_files
    return ProjectIndex.open(root, **kwargs)


def new_session(root: Path | None, *, options: AgentOptions | None = None) -> Session:
    """A conversation about `root` (None: plain chat): tree, permissions and undo in memory only."""
    from app.core.session import Session

    return Session(root, options=options)
