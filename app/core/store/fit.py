"""Rate each catalog model against this machine: fits, tight or too-big, and the context it gets.

Computed offline from the catalog's GGUF facts with the same KV formula the loader uses
(`app.core.runtime.context_plan`), so the rating and the context a loaded model gets agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.core.errors import EnclaveError
from app.core.runtime.context_plan import DEFAULT_MAX_CTX, MIN_CTX, max_context_that_fits, plan_context
from app.core.runtime.hardware import Hardware, choose_backend
from app.core.store.catalog import Catalog, CatalogEntry
from app.core.store.location import DISK_MARGIN

FITS, TIGHT, TOO_BIG = "fits", "tight", "too-big"
# The context a role needs to work well: the agent carries tools, a repo map and files.
WANTED_CTX = {"agent": 16384, "completion": 2048, "embed": 512}
# Weights above this share of the memory that holds them leave too little for the rest of
# the machine (editor, browser, the project's own tests): the rating is "tight".
MAX_WEIGHTS_SHARE = 0.5
_GIB = 2**30
_OVERHEAD = 512 * 2**20  # a loaded model's compute buffers and slack (as context_plan allows)


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
    """The best agent model and a completion model that fits beside it, and every rating behind them.

    `completion` is rated for the memory the agent leaves (both run at once); where no agent
    fits, it is the best completion model alone. `note` says how the pair was chosen.
    """

    agent: Fit | None
    completion: Fit | None
    fits: tuple[Fit, ...]
    note: str = ""


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
    """Rate every entry; pick the best-ranked agent, then a completion model that fits beside it.

    Where no agent fits, a completion model alone is recommended (small machines).
    """
    fits = tuple(
        rate_model(e, hw, free_disk=free_disk, installed=e.id in installed_ids, gpu=gpu) for e in catalog
    )
    by_id = {f.model_id: f for f in fits}
    agent = _best([by_id[e.id] for e in catalog.by_role("agent")])
    completions = catalog.by_role("completion")
    if agent is None:
        alone = _best([by_id[e.id] for e in completions])
        note = "no agent model fits this machine; a completion model alone does" if alone else ""
        return Recommendation(agent=None, completion=alone, fits=fits, note=note)
    left = _memory_left(hw, catalog.require(agent.model_id), agent)
    beside = [
        rate_model(e, left, free_disk=free_disk, installed=e.id in installed_ids, gpu=gpu)
        for e in completions
    ]
    completion = _best([f for f in beside if f.rating == FITS])
    note = (
        f"{completion.model_id} fits beside {agent.model_id} ({completion.n_ctx} tokens of context left for it)"
        if completion
        else f"no completion model fits beside {agent.model_id}; completion would have to share its memory"
    )
    return Recommendation(agent=agent, completion=completion, fits=fits, note=note)


def _best(ranked: list[Fit]) -> Fit | None:
    for wanted in (FITS, TIGHT):
        for candidate in ranked:
            if candidate.rating == wanted:
                return candidate
    return None


def _memory_left(hw: Hardware, entry: CatalogEntry, fit: Fit) -> Hardware:
    """The machine as a second model sees it once `entry` runs with the context it was rated for."""
    shape = entry.shape()
    used = (
        entry.size
        + min(fit.n_ctx, WANTED_CTX.get(entry.role, MIN_CTX)) * shape.kv_bytes_per_token
        + _OVERHEAD
    )
    if fit.memory == "RAM":
        return replace(hw, free_ram=max(0, hw.free_ram - used), total_ram=max(0, hw.total_ram - used))
    return replace(hw, vram_free=max(0, hw.vram_free - used), vram_total=max(0, hw.vram_total - used))
