"""Load the local model for a CLI command: resolve it, probe it once, show progress, honour Ctrl-C."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.commands.interrupts import ctrl_c_cancels
from app.commands.output import warn
from app.core.cancel import CancelToken

if TYPE_CHECKING:
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
