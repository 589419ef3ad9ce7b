"""List, re-verify and remove installed models."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.errors import EnclaveError
from app.core.store.catalog import Catalog
from app.core.store.hashing import hash_file
from app.core.store.location import StoreLocation
from app.core.store.manifest import InstalledModel, Manifest
from app.core.store.progress import ByteProgress
from app.core.store.splits import is_later_part

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListedModel:
    """One row of `enclave models list`."""

    id: str
    role: str
    size: int
    verified: bool
    path: str
    source: str  # download | copy | link | move | folder (a GGUF in a folder the user pointed at)
    present: bool
    sha256: str | None = None  # of the first file, as recorded (None for a folder's GGUF)

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of re-hashing one installed model."""

    model_id: str
    ok: bool
    reason: str


def list_models(*, location: StoreLocation, extra_dirs: list[str] | None = None) -> list[ListedModel]:
    """Installed models from the manifest, then GGUFs found in the folders the user added."""
    manifest = Manifest.load(location.manifest_file)
    rows = [
        ListedModel(
            id=m.id,
            role=m.role,
            size=m.size,
            verified=m.verified,
            path=str(m.path),
            source=m.source,
            present=m.present(),
            sha256=m.files[0].sha256,
        )
        for m in manifest.models
    ]
    known = {Path(f.path).resolve() for m in manifest.models for f in m.files}
    for folder in extra_dirs or []:
        for path in ggufs_in(Path(folder).expanduser()):
            if path.resolve() in known:
                continue
            rows.append(
                ListedModel(
                    id=path.name,
                    role="unknown",
                    size=path.stat().st_size,
                    verified=False,
                    path=str(path),
                    source="folder",
                    present=True,
                )
            )
    return rows


def verify_models(
    model_id: str | None, *, location: StoreLocation, cancel: CancelToken, catalog: Catalog | None = None
) -> Iterator[ByteProgress | VerifyResult]:
    """Re-hash one installed model (or all); yield progress and one result per model.

    A model whose files changed is marked unverified in the manifest.

    Raises:
        EnclaveError: `model_id` is not installed.
        Cancelled: `cancel` was set.

    """
    manifest = Manifest.load(location.manifest_file)
    models = manifest.models
    if model_id is not None:
        found = manifest.get(model_id)
        if found is None:
            raise EnclaveError(f"{model_id!r} is not installed (see `enclave models list`)")
        models = [found]
    for model in models:
        result = yield from _verify_one(model, cancel=cancel, catalog=catalog)
        if not result.ok and model.verified:
            manifest.mark(model.id, verified=False)
            manifest.save()
        yield result


def _verify_one(
    model: InstalledModel, *, cancel: CancelToken, catalog: Catalog | None
) -> Generator[ByteProgress, None, VerifyResult]:
    entry = catalog.get(model.catalog_id) if catalog and model.catalog_id else None
    pinned = {f.name: f.sha256 for f in entry.files} if entry else {}
    for file in model.files:
        path = Path(file.path)
        if not path.is_file():
            return VerifyResult(model.id, ok=False, reason=f"{file.name} is missing ({path})")
        digest = ""
        for item in hash_file(path, cancel=cancel, stage="verifying"):
            if isinstance(item, str):
                digest = item
            else:
                yield item
        if digest != file.sha256:
            return VerifyResult(
                model.id, ok=False, reason=f"{file.name} changed since it was installed (sha256 differs)"
            )
        if pinned.get(file.name) and pinned[file.name] != digest:
            return VerifyResult(model.id, ok=False, reason=f"{file.name} is not the file the catalog pins")
    state = (
        "verified" if model.verified else "unchanged since install (never verified against a published hash)"
    )
    return VerifyResult(model.id, ok=True, reason=state)


def remove_model(model_id: str, *, location: StoreLocation) -> InstalledModel:
    """Forget an installed model and delete its files inside the models folder (never outside it).

    Raises:
        EnclaveError: `model_id` is not installed.

    """
    manifest = Manifest.load(location.manifest_file)
    model = manifest.get(model_id)
    if model is None:
        raise EnclaveError(f"{model_id!r} is not installed (see `enclave models list`)")
    for file in model.files:
        path = Path(file.path)
        if location.owns(path) and (path.is_symlink() or path.exists()):
            path.unlink()
    folder = location.model_dir(model.id)
    if location.owns(folder) and folder.is_dir() and not any(folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)
    manifest.remove(model.id)
    manifest.save()
    logger.info("removed model %s", model.id)
    return model


def ggufs_in(folder: Path) -> list[Path]:
    """The model files in `folder` (first parts only for split models), sorted by name."""
    try:
        return sorted(p for p in folder.glob("*.gguf") if p.is_file() and not is_later_part(p.name))
    except OSError:
        return []
