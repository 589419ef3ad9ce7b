"""Rate each catalog model against this machine: fits, tight or too-big, and the context it gets.

Computed offline from the catalog's GGUF facts with the same KV formula the loader uses
(`app.core.runtime.context_plan`), so the rating and the context a loaded model gets agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import EnclaveError
from app.core.runtime.context_plan import DEFAULT_MAX_CTX, MIN_CTX, max_context_that_fits, plan_context
from app.core.runtime.hardware import Hardware, choose_backend
from app.core.store.catalog import Catalog, CatalogEntry
from app.core.store.location import DISK_MARGIN

FITS, TIGHT, TOO_BIG = "fits", "tight", "too-big"
# The context a role needs to work well: the agent carries tools, a repo map and files.
WANTED_CTX = {"agent": 16384, "fim": 2048, "embed": 512}
# Weights above this share of the memory that holds them leave too little for the rest of
# the machine (editor, browser, the project's own tests): the rating is "tight".
MAX_WEIGHTS_SHARE = 0.5
_GIB = 2**30


@dataclass(frozen=True)
class Fit:
    """One model's rating on this machine."""

    model_id: str
    role: str
    rating: str  # fits | tight | too-big
    reason: str
    n_ctx: int  # the context it would get now (0 when too big)
    memory: str  # "RAM" or the GPU that would hold it
    download_bytes: int
    installed: bool

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "id": self.model_id,
            "role": self.role,
            "rating": self.rating,
            "reason": self.reason,
            "n_ctx": self.n_ctx,
            "memory": self.memory,
            "download_bytes": self.download_bytes,
            "installed": self.installed,
        }


@dataclass(frozen=True)
class Recommendation:
    """The best agent and completion model for this machine, and every rating behind it."""

    agent: Fit | None
    fim: Fit | None
    fits: tuple[Fit, ...]


def rate_model(
    entry: CatalogEntry, hw: Hardware, *, free_disk: int, installed: bool = False, gpu: str = "auto"
) -> Fit:
    """Rate one entry: memory first (GPU when usable, else RAM), then disk for the download."""
    shape = entry.shape()
    wanted = min(WANTED_CTX.get(entry.role, MIN_CTX), shape.n_ctx_train or DEFAULT_MAX_CTX)
    backend = choose_backend(hw, gpu=gpu)
    memory, free_mem, total_mem = "RAM", hw.free_ram, hw.total_ram
    if backend.n_gpu_layers != 0 and hw.vram_total > 0 and not hw.unified_memory:
        gpu_fit = max_context_that_fits(shape, free_bytes=hw.vram_free)
        if gpu_fit >= wanted:
            memory, free_mem, total_mem = hw.gpu_name or backend.backend, hw.vram_free, hw.vram_total
    need_disk = 0 if installed else entry.size + DISK_MARGIN

    def fit(rating: str, reason: str, n_ctx: int) -> Fit:
        return Fit(
            entry.id, entry.role, rating, reason, n_ctx, memory, 0 if installed else entry.size, installed
        )

    try:
        plan = plan_context(shape, free_bytes=free_mem)
    except EnclaveError:
        at_best = max_context_that_fits(shape, free_bytes=total_mem)
        weights = f"{entry.size / _GIB:.1f} GiB of weights"
        if at_best >= MIN_CTX:
            return fit(
                TIGHT,
                f"{weights}; fits only with other programs closed ({hw.free_ram / _GIB:.1f} GiB free now)",
                min(at_best, DEFAULT_MAX_CTX),
            )
        return fit(TOO_BIG, f"{weights} do not fit in {total_mem / _GIB:.1f} GiB of {memory}", 0)
    if need_disk > free_disk:
        return fit(
            TIGHT,
            f"fits in {memory}, but the download needs {need_disk / _GIB:.1f} GiB and "
            f"{free_disk / _GIB:.1f} GiB is free on disk",
            plan.n_ctx,
        )
    if entry.size > MAX_WEIGHTS_SHARE * total_mem:
        return fit(
            TIGHT,
            f"{entry.size / _GIB:.1f} GiB of weights take over half of the {total_mem / _GIB:.1f} GiB of {memory}",
            plan.n_ctx,
        )
    if plan.n_ctx < wanted:
        return fit(
            TIGHT, f"only {plan.n_ctx} tokens of context fit in free {memory} ({wanted} wanted)", plan.n_ctx
        )
    return fit(FITS, f"{plan.n_ctx} tokens of context in free {memory}", plan.n_ctx)


def recommend(
    catalog: Catalog,
    hw: Hardware,
    *,
    free_disk: int,
    installed_ids: frozenset[str] = frozenset(),
    gpu: str = "auto",
) -> Recommendation:
    """Rate every entry; pick the best-ranked agent and completion model that fit (else tight)."""
    fits = tuple(
        rate_model(e, hw, free_disk=free_disk, installed=e.id in installed_ids, gpu=gpu) for e in catalog
    )
    by_id = {f.model_id: f for f in fits}

    def best(role: str) -> Fit | None:
        ranked = [by_id[e.id] for e in catalog.by_role(role)]
        for wanted in (FITS, TIGHT):
            for candidate in ranked:
                if candidate.rating == wanted:
                    return candidate
        return None

    return Recommendation(agent=best("agent"), fim=best("fim"), fits=fits)
