"""Compare a catalog entry's GGUF facts with what the file's metadata says (the file wins)."""

from __future__ import annotations

import logging

from app.core.runtime.context_plan import shape_from_gguf
from app.core.runtime.gguf_file import GGUFInfo
from app.core.store.catalog import CatalogEntry

logger = logging.getLogger(__name__)


def facts_of(info: GGUFInfo) -> dict[str, object]:
    """The planner's facts as read from a GGUF file."""
    shape = shape_from_gguf(info)
    return {
        "architecture": info.architecture,
        "n_layers": shape.n_layers,
        "n_kv_heads": shape.n_kv_heads,
        "key_length": shape.key_length,
        "value_length": shape.value_length,
        "context_length": shape.n_ctx_train,
    }


def discrepancies(entry: CatalogEntry, info: GGUFInfo) -> tuple[str, ...]:
    """One line per fact where the catalog and the file disagree, e.g. `n_layers: catalog 36, file 40`."""
    found = facts_of(info)
    lines = tuple(
        f"{key}: catalog {expected}, file {found[key]}"
        for key, expected in entry.facts().items()
        if found.get(key) != expected
    )
    if lines:
        logger.warning(
            "catalog entry %s disagrees with its GGUF metadata in %d fact(s)", entry.id, len(lines)
        )
    return lines
