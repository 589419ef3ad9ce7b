"""Load the model for a CLI command: a local one (resolved, probed once, with progress) or an endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.interrupts import ctrl_c_cancels
from app.commands.output import warn
from app.core.cancel import CancelToken

if TYPE_CHECKING:
    from app.core.remote.remote_model import RemoteModel
    from app.core.runtime.local_model import LocalModel


def load_local_model(spec: str | None, *, n_ctx: int | None, cancel: CancelToken) -> LocalModel:
    """The model `spec` names (or the user's choice), loaded with the settings file's preferences.

    Raises:
        EnclaveError: no such model, it does not fit, or llama.cpp cannot run it.
        Cancelled: Ctrl-C while it was probed or loaded.

    """
    from app.core import services
    from app.core.paths import user_dirs
    from app.core.settings import Settings

    settings = Settings.load(user_dirs().settings_file)
    with ctrl_c_cancels(cancel):
        model = services.load_model(spec, settings=settings, n_ctx=n_ctx, cancel=cancel, progress=warn)
    if model.info.load_note and model.info.probe_s:  # said once, when found; doctor keeps saying it
        warn(f"note: {model.info.load_note}")
    return model


def load_cli_model(
    role: str,
    *,
    spec: str | None,
    endpoint: str | None,
    project: Path | None = None,
    n_ctx: int | None,
    cancel: CancelToken,
) -> LocalModel | RemoteModel:
    """`--endpoint NAME`, else `--model`, else what the settings give `role` (local by default).

    Raises:
        EnclaveError: as `load_local_model`; or the endpoint is unknown, locked by policy,
            refused for a local-only project, or cannot be reached.

    """
    from app.core import services
    from app.core.paths import user_dirs
    from app.core.settings import Settings

    settings = Settings.load(user_dirs().settings_file)
    name = endpoint or (None if spec else services.role_endpoint(role, settings=settings, project=project))
    if not name:
        return load_local_model(spec, n_ctx=n_ctx, cancel=cancel)
    with ctrl_c_cancels(cancel):
        model = services.open_endpoint(name, settings=settings, project=project, cancel=cancel)
    warn(f"note: remote model {model.info.name} at {model.info.host}: this conversation is sent there")
    return model
