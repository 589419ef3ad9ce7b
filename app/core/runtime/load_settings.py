"""The llama.cpp load settings a crash can depend on, the safer ones to fall back to, and how to apply them.

Imported by the probe child too, so it stays free of heavy imports: llama_cpp is imported
only where a model is actually loaded.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

SMALL_BATCH = 64


@dataclass(frozen=True)
class LoadSettings:
    """What llama.cpp is asked to do when it loads and first decodes a model."""

    n_gpu_layers: int = 0  # -1: every layer
    n_batch: int = 512
    extra_bufts: bool = True  # extra buffer types: the CPU's weight repacking (AMX, AVX-512, ARM)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON and the probe child's command line."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadSettings:
        """Rebuild from `as_dict` output (unknown keys ignored)."""
        return cls(
            n_gpu_layers=int(data.get("n_gpu_layers", 0)),
            n_batch=max(1, int(data.get("n_batch", 512))),
            extra_bufts=bool(data.get("extra_bufts", True)),
        )


@dataclass(frozen=True)
class Fallback:
    """One step down the ladder: settings that avoid a known crash, and what was given up."""

    settings: LoadSettings
    turned_off: tuple[str, ...]  # short names: extra_bufts, gpu, batch


# What each short name means to a user, for doctor, the status bar and the model list.
WHAT_IS_OFF = {
    "extra_bufts": "AMX/CPU weight repacking off",
    "gpu": "GPU offload off",
    "batch": f"prompt batch cut to {SMALL_BATCH} tokens",
}


# The same, in a few words, for the status bar.
SHORT_OFF = {"extra_bufts": "repacking off", "gpu": "GPU off", "batch": "small batch"}


def short_off(turned_off: tuple[str, ...]) -> str:
    """What the probe turned off, in a few words ("repacking off, GPU off"), or ""."""
    return ", ".join(SHORT_OFF.get(name, name) for name in turned_off)


def fallbacks(wanted: LoadSettings) -> list[Fallback]:
    """The settings to try, in order: as wanted, then each safer step on top of the last.

    Order from issue 11: extra buffer types off (llama.cpp's AMX repacking crashes some
    Intel CPUs' builds on the first decode, ggml-org/llama.cpp#20824); then no GPU offload;
    then a smaller batch. Steps that change nothing are left out.
    """
    steps = [Fallback(wanted, ())]
    current: LoadSettings = wanted
    off: tuple[str, ...] = ()
    for name, safer in (
        ("extra_bufts", lambda s: replace(s, extra_bufts=False)),
        ("gpu", lambda s: replace(s, n_gpu_layers=0)),
        ("batch", lambda s: replace(s, n_batch=min(s.n_batch, SMALL_BATCH))),
    ):
        nxt = safer(current)
        if nxt == current:
            continue
        current, off = nxt, (*off, name)
        steps.append(Fallback(current, off))
    return steps


def describe_off(turned_off: tuple[str, ...], *, why: str) -> str:
    """One line for a user: what is off and why, e.g. 'AMX/CPU weight repacking off: it crashed …'."""
    if not turned_off:
        return ""
    what = "; ".join(WHAT_IS_OFF.get(name, name) for name in turned_off)
    return f"{what}: {why}"


def supports_extra_bufts() -> bool:
    """Whether this llama-cpp-python exposes the switch (llama_model_params.use_extra_bufts)."""
    import llama_cpp

    return any(name == "use_extra_bufts" for name, *_ in llama_cpp.llama_model_params._fields_)


_PATCH_LOCK = threading.Lock()


@contextlib.contextmanager
def model_params(*, extra_bufts: bool, keep_going: Callable[[], bool] | None = None) -> Iterator[None]:
    """Apply the settings `Llama()` has no argument for while one model loads.

    llama-cpp-python (0.3.x) builds `llama_model_params` inside `Llama.__init__` and loads at
    once, with no way to pass `use_extra_bufts` or a progress callback; so the one call that
    loads the weights is wrapped for the duration. `keep_going` returning False aborts the
    load (llama.cpp stops when the progress callback returns false), which is how Ctrl-C
    ends a load promptly instead of being swallowed inside a ctypes callback.
    """
    import llama_cpp
    import llama_cpp._internals as internals

    has_switch = supports_extra_bufts()
    callback = None
    if keep_going is not None:
        check = keep_going

        def progress(_fraction: float, _user: Any) -> bool:
            try:
                return bool(check())
            except BaseException:  # an exception cannot cross into C: stop loading instead
                return False

        callback = llama_cpp.llama_progress_callback(progress)
    with _PATCH_LOCK:
        original = internals.LlamaModel

        def load(*, path_model: str, params: Any, verbose: bool = True) -> Any:
            if has_switch:
                params.use_extra_bufts = extra_bufts
            if callback is not None:
                params.progress_callback = callback
            return original(path_model=path_model, params=params, verbose=verbose)

        internals.LlamaModel = load  # type: ignore[misc,assignment]
        try:
            yield
        finally:
            internals.LlamaModel = original  # type: ignore[misc]
