"""What the model manager shows, read in one go on a pool thread: ratings, installed models, paused downloads.

The same core calls as `enclave models recommend` and `enclave models list`: the fit
planner over the shipped catalog for this machine, the manifest and the model folders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.core.runtime.hardware import Hardware
from app.core.settings import Settings
from app.core.store.catalog import Catalog
from app.core.store.fit import Recommendation
from app.core.store.location import StoreLocation
from app.core.store.manage import ListedModel

_GIB = 2**30


@dataclass(frozen=True)
class StoreOverview:
    """One reading of the store and the machine."""

    catalog: Catalog
    recommendation: Recommendation
    machine: str  # "12.1 GiB of 16.0 GiB memory free · cpu · 80.2 GiB free on disk"
    installed: tuple[ListedModel, ...]
    paused: frozenset[str]  # catalog ids with a partial download kept for a resume


def read_overview(
    settings: Settings,
    *,
    catalog: Catalog | None = None,
    hardware: Callable[[], Hardware] | None = None,
    location: StoreLocation | None = None,
) -> StoreOverview:
    """Rate the catalog for this machine and list what is installed (reads files and probes memory)."""
    from app.core.runtime.hardware import choose_backend, probe_hardware
    from app.core.store.catalog import load_catalog
    from app.core.store.fit import recommend
    from app.core.store.manage import list_models

    location = location or StoreLocation.default()
    catalog = catalog or load_catalog()
    hw = (hardware or probe_hardware)()
    rows = tuple(list_models(location=location, extra_dirs=settings.model_folders()))
    installed = frozenset(r.id for r in rows if r.present and r.source != "folder")
    free_disk = location.free_disk()
    rec = recommend(catalog, hw, free_disk=free_disk, installed_ids=installed, gpu=settings.gpu)
    backend = _BACKENDS.get(choose_backend(hw, gpu=settings.gpu).backend, "GPU")
    machine = (
        f"{hw.free_ram / _GIB:.1f} GiB of {hw.total_ram / _GIB:.1f} GiB memory free · {backend}"
        + (f" ({hw.gpu_name}, {hw.vram_free / _GIB:.1f} GiB free)" if hw.vram_total else "")
        + f" · {free_disk / _GIB:.1f} GiB free on disk for models"
    )
    paused = frozenset(e.id for e in catalog if _has_staged_bytes(location, e.id))
    return StoreOverview(catalog, rec, machine, rows, paused)


_BACKENDS = {"cpu": "CPU only", "cuda": "CUDA", "metal": "Metal", "vulkan": "Vulkan", "rocm": "ROCm"}


def size_text(size: int) -> str:
    """'2.3 GiB', or '412 MiB' under a GiB (a tiny model is not '0.00 GiB')."""
    if size >= _GIB:
        return f"{size / _GIB:.1f} GiB"
    mib = max(size, 0) / 2**20
    return f"{mib:,.0f} MiB" if mib >= 10 else f"{mib:.1f} MiB"


def _has_staged_bytes(location: StoreLocation, model_id: str) -> bool:
    folder = location.staging(model_id)
    try:
        return folder.is_dir() and any(p.is_file() and p.stat().st_size > 0 for p in folder.iterdir())
    except OSError:
        return False
