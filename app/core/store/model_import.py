"""Import a `.gguf` copied in by hand: validate, hash, recognise, probe in a child, then place it.

Every check runs on the source file where it lies; only a model that passed them all is
copied, linked or moved into the models folder, so a refused file leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.errors import EnclaveError, ModelFileError
from app.core.runtime.gguf_file import GGUF_MAGIC
from app.core.runtime.load_probe import probe_model
from app.core.runtime.probe_cache import remember_sha256
from app.core.runtime.validate import validate_model
from app.core.store.catalog import Catalog, CatalogEntry, load_catalog
from app.core.store.facts import discrepancies
from app.core.store.hashing import CHUNK, hash_file
from app.core.store.location import DISK_FULL_ERRNOS, DISK_MARGIN, StoreLocation
from app.core.store.manifest import InstalledFile, InstalledModel, Manifest
from app.core.store.progress import ModelReady, RateMeter, StageChanged, StoreEvent
from app.core.store.splits import model_parts, split_stem

logger = logging.getLogger(__name__)

MODES = ("copy", "link", "move")


def import_model(
    source: Path,
    *,
    cancel: CancelToken,
    mode: str = "copy",
    location: StoreLocation | None = None,
    catalog: Catalog | None = None,
    probe: bool = True,
) -> Iterator[StoreEvent]:
    """Add the model whose (first) file is `source`; yield progress, end with `ModelReady`.

    Raises:
        ModelFileError: not a usable GGUF, or parts of a split model are missing.
        ModelLoadError: llama.cpp crashed or failed on it in the probe process.
        Cancelled: `cancel` was set; nothing was placed.
        EnclaveError: the file cannot be placed (disk full, permissions).

    """
    if mode not in MODES:
        raise EnclaveError(f"import mode must be one of {', '.join(MODES)}")
    location = location or StoreLocation.default()
    source = Path(source).expanduser().absolute()
    if source.is_dir():
        raise ModelFileError(
            f"{source.name}: is a folder; give the .gguf file (the first part of a split model)"
        )
    if not source.exists():
        raise ModelFileError(f"{source}: no such file")
    if not source.name.lower().endswith(".gguf"):
        raise ModelFileError(f"{source.name}: not a .gguf model file")
    parts = model_parts(source)
    yield StageChanged("checking", f"reading the GGUF metadata of {source.name}")
    info = validate_model(parts[0])
    for part in parts[1:]:
        # Later shards carry only split.* metadata (read_gguf wants an architecture); check the
        # magic here, llama.cpp reads the rest in the probe process.
        _check_magic(part)
    declared = info.metadata.get("split.count", 0)
    if isinstance(declared, int) and declared > 1 and declared != len(parts):
        raise ModelFileError(f"{source.name}: its metadata says {declared} parts, {len(parts)} found")

    _check_room(parts, location, mode=mode)
    hashes: list[str] = []
    for part in parts:
        yield StageChanged("hashing", f"sha256 of {part.name}")
        for item in hash_file(part, cancel=cancel):
            if isinstance(item, str):
                hashes.append(item)
            else:
                yield item

    manifest = Manifest.load(location.manifest_file)
    twin = manifest.find_sha256(hashes[0])
    if twin and twin.present():
        yield ModelReady(twin, notes=(f"already installed as {twin.id}",), already_installed=True)
        return
    catalog = catalog or load_catalog()
    entry, verified, notes = _recognise(catalog, parts, hashes)
    if twin is not None:
        # The same model, whose files went missing: this import repairs its entry (same id).
        model_id = twin.id
        notes.append(f"repairs {twin.id}, whose files had gone missing")
    else:
        model_id = _free_id(entry.id if entry else _slug(split_stem(source.name)), manifest, location)
    facts = discrepancies(entry, info) if entry else ()
    notes += [f"GGUF metadata differs from the catalog: {line}" for line in facts]

    if probe:
        yield StageChanged("probing", "loading it once in a separate process")
        safe = probe_model(parts[0], sha256=hashes[0], cancel=cancel)
        if safe.note:
            notes.append(safe.note)

    target = location.model_dir(model_id)
    yield StageChanged("installing", f"{_verb(mode)} it into {target}")
    placed: list[Path] = []
    try:
        how = yield from _place(parts, target, mode=mode, cancel=cancel, placed=placed)
        record = InstalledModel(
            id=model_id,
            role=entry.role if entry else "unknown",
            files=tuple(
                InstalledFile(p.name, str(target / p.name), p_size, h)
                for p, p_size, h in zip(parts, _sizes(target, parts), hashes, strict=True)
            ),
            source=how,
            verified=verified,
            architecture=info.architecture,
            catalog_id=entry.id if entry else "",
            repo=entry.repo if entry else "",
            revision="",
            discrepancies=facts,
            added=datetime.now(UTC).date().isoformat(),
        )
        manifest.put(record)
        manifest.save()
        for placed_file, sha256 in zip(record.files, hashes, strict=True):
            remember_sha256(
                Path(placed_file.path), sha256
            )  # the first in-process load need not hash it again
    except BaseException:
        _undo(placed, parts, target, moved=mode == "move")
        raise
    logger.info("imported a %d-file model (%s)", len(parts), how)
    yield ModelReady(record, notes=tuple(notes))


def _recognise(
    catalog: Catalog, parts: list[Path], hashes: list[str]
) -> tuple[CatalogEntry | None, bool, list[str]]:
    match = catalog.match_sha256(hashes[0])
    if match:
        entry = match[0]
        pinned = [f.sha256 for f in entry.files]
        if pinned == hashes:
            return entry, True, [f"recognised as {entry.id} by its sha256"]
        return entry, False, [f"first part matches {entry.id}, but the other parts differ from the catalog"]
    by_name = catalog.match_name(parts[0].name)
    if by_name and not by_name[1].sha256:
        entry = by_name[0]
        return entry, False, [f"named like {entry.id}; the catalog has no sha256 to confirm it (unverified)"]
    if by_name:
        return None, False, [f"named like {by_name[0].id} but its sha256 differs; added as an unknown model"]
    return None, False, ["not in the catalog; added as an unknown model"]


def _place(
    parts: list[Path], target: Path, *, mode: str, cancel: CancelToken, placed: list[Path]
) -> Generator[StoreEvent, None, str]:
    target.mkdir(parents=True, exist_ok=True)
    for part in parts:
        dest = target / part.name
        cancel.raise_if_cancelled()
        if mode == "link":
            dest.unlink(missing_ok=True)
            try:
                os.link(part, dest)
            except OSError:
                os.symlink(part.resolve(), dest)  # another disk: a hard link cannot cross it
            placed.append(dest)
            continue
        if mode == "move":
            try:
                os.replace(part, dest)
                placed.append(dest)
                continue
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise _place_error(part, exc) from None
        yield from _copy(part, dest, cancel=cancel, placed=placed)
    if mode == "move":
        for part in parts:
            part.unlink(missing_ok=True)  # copied across disks: the source goes only now
    return mode


def _copy(source: Path, dest: Path, *, cancel: CancelToken, placed: list[Path]) -> Iterator[StoreEvent]:
    tmp = dest.with_name(dest.name + ".importing")
    placed.append(tmp)
    meter = RateMeter("copying", source.name, source.stat().st_size)
    done = 0
    try:
        with source.open("rb") as src, tmp.open("wb") as out:
            while chunk := src.read(CHUNK):
                cancel.raise_if_cancelled()
                out.write(chunk)
                done += len(chunk)
                event = meter.update(done)
                if event:
                    yield event
        os.replace(tmp, dest)
    except OSError as exc:
        raise _place_error(source, exc) from None
    placed[-1] = dest


def _undo(placed: list[Path], parts: list[Path], target: Path, *, moved: bool) -> None:
    for dest in placed:
        original = next((p for p in parts if p.name == dest.name), None)
        if moved and original is not None and not original.exists() and dest.exists():
            try:
                os.replace(dest, original)
                continue
            except OSError:
                logger.warning("could not move an imported part back")
        dest.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        target.rmdir()


def _check_room(parts: list[Path], location: StoreLocation, *, mode: str) -> None:
    """Before minutes of hashing: a copy (or a move to another disk) must fit, with the margin kept."""
    if mode == "link":
        return
    need = sum(p.stat().st_size for p in parts)
    if mode == "move" and _same_disk(parts[0], location.models):
        return
    free = location.free_disk()
    if need + DISK_MARGIN > free:
        raise EnclaveError(
            f"the disk is full: {parts[0].name} needs {need / 2**30:.2f} GiB and "
            f"{max(0, free - DISK_MARGIN) / 2**30:.2f} GiB can be used; nothing was imported "
            "(free some space, or import with --link)"
        )


def _same_disk(path: Path, folder: Path) -> bool:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return path.stat().st_dev == folder.stat().st_dev
    except OSError:
        return False


def _check_magic(part: Path) -> None:
    try:
        with part.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelFileError(f"{part.name}: cannot be read ({exc.strerror or exc})") from None
    if magic != GGUF_MAGIC:
        raise ModelFileError(f"{part.name}: not a GGUF file (a damaged part of the split model)")


def _place_error(part: Path, exc: OSError) -> EnclaveError:
    if exc.errno in DISK_FULL_ERRNOS:
        return EnclaveError(f"the disk is full: {part.name} could not be placed; nothing was imported")
    return EnclaveError(f"{part.name}: could not be placed ({exc.strerror or exc}); nothing was imported")


def _sizes(target: Path, parts: list[Path]) -> list[int]:
    return [(target / p.name).stat().st_size for p in parts]


def _slug(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    return slug or "model"


def _free_id(wanted: str, manifest: Manifest, location: StoreLocation) -> str:
    candidate, n = wanted, 1
    while manifest.get(candidate) or location.model_dir(candidate).exists():
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def _verb(mode: str) -> str:
    return {"copy": "copying", "link": "linking", "move": "moving"}[mode]
