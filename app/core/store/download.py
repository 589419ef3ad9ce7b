"""Download a catalog model from the Hugging Face Hub (or the mirror in `HF_ENDPOINT`).

The only module that imports huggingface_hub, and only inside `download_model`, inside the
network gate. It uses the hub client's own pieces: `hf_hub_url` with the pinned revision,
`get_hf_file_metadata` (the HEAD that carries the commit, the LFS sha256 and the size) and the
hub's HTTP session (proxies from the environment, TLS always verified). The byte loop is ours
rather than `hf_hub_download`'s because 2.x deletes its partial file on any failure (so a
dropped 2.5 GB download would start over), and routes Xet-backed repos through the native
hf_xet client, which bypasses the Python socket audit the privacy ledger relies on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, EnclaveError, ModelFileError, ModelLoadError
from app.core.runtime.load_probe import probe_model
from app.core.runtime.probe_cache import remember_sha256
from app.core.runtime.validate import validate_model
from app.core.store.catalog import CatalogEntry, CatalogFile
from app.core.store.facts import discrepancies
from app.core.store.hashing import Digest, feed_file
from app.core.store.location import DISK_FULL_ERRNOS, DISK_MARGIN, StoreLocation
from app.core.store.manifest import InstalledFile, InstalledModel, Manifest
from app.core.store.progress import ModelReady, RateMeter, StageChanged, StoreEvent

logger = logging.getLogger(__name__)

RETRIES = 5
_MIB = 2**20
_SHA256_LEN = 64


@dataclass(frozen=True)
class RemoteFile:
    """One file as the Hub describes it, and the sha256 it must hash to."""

    name: str
    url: str  # where the bytes are (the CDN location the Hub redirected to)
    size: int
    sha256: str  # expected; "" when neither the catalog nor the Hub gave one
    etag: str
    commit: str


class TransientError(EnclaveError):
    """A dropped connection or a server hiccup: worth another try from where it stopped."""


def download_model(
    entry: CatalogEntry,
    *,
    cancel: CancelToken,
    location: StoreLocation | None = None,
    endpoint: str | None = None,
    probe: bool = True,
    retries: int = RETRIES,
    retry_delay: float = 1.0,
    free_disk: Callable[[], int] | None = None,
) -> Iterator[StoreEvent]:
    """Download, verify, probe and install `entry`; yield progress, end with `ModelReady`.

    An interrupted download (dropped connection, closed app) resumes from its staged bytes
    the next time; a cancel or a failed check removes them. Nothing is installed until every
    file is complete and verified.

    Raises:
        Cancelled: `cancel` was set; nothing is left behind.
        ModelFileError: a file failed its sha256 or GGUF check; nothing is installed.
        ModelLoadError: llama.cpp cannot load the downloaded model; nothing is installed.
        EnclaveError: no disk space, the Hub refused, or the network kept failing.

    """
    location = location or StoreLocation.default()
    existing = Manifest.load(location.manifest_file).get(entry.id)
    if existing and existing.present():
        yield ModelReady(existing, notes=("already installed",), already_installed=True)
        return
    free = free_disk or location.free_disk
    staging = location.staging(entry.id)
    _check_disk(sum(f.size - _staged_bytes(staging / f.name) for f in entry.files), free())
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or "").rstrip("/") or None
    from app.core.privacy.guard import network_gate

    try:
        with network_gate(f"download {entry.id}"):
            hub = _Hub(endpoint)
            yield StageChanged("connecting", f"asking {hub.host} for {entry.repo} at {entry.revision}")
            remotes = [
                hub.describe(entry, f, retries=retries, retry_delay=retry_delay, cancel=cancel)
                for f in entry.files
            ]
            _check_disk(sum(r.size - _staged_bytes(staging / r.name) for r in remotes), free())
            hashes: dict[str, str] = {}
            for index, remote in enumerate(remotes, start=1):
                yield StageChanged("downloading", f"file {index} of {len(remotes)}: {remote.name}")
                hashes[remote.name] = yield from _fetch(
                    hub, remote, staging, cancel=cancel, retries=retries, retry_delay=retry_delay
                )
        first = staging / remotes[0].name
        yield StageChanged("checking", f"reading the GGUF metadata of {first.name}")
        info = validate_model(first)
        notes = discrepancies(entry, info)
        probe_note = ""
        if probe:
            yield StageChanged("probing", "loading it once in a separate process")
            probe_note = probe_model(first, sha256=hashes.get(first.name), cancel=cancel).note
    except (Cancelled, ModelFileError, ModelLoadError):
        shutil.rmtree(staging, ignore_errors=True)
        raise
    yield StageChanged("installing", f"moving it into {location.model_dir(entry.id)}")
    record = _install(entry, remotes, hashes, info.architecture, notes, staging, location)
    for placed in record.files:
        remember_sha256(Path(placed.path), placed.sha256)  # the first in-process load need not hash it again
    yield ModelReady(record, notes=_notes(entry, remotes, notes) + ((probe_note,) if probe_note else ()))


def _fetch(
    hub: _Hub, remote: RemoteFile, staging: Path, *, cancel: CancelToken, retries: int, retry_delay: float
) -> Generator[StoreEvent, None, str]:
    part = staging / remote.name
    sidecar = staging / f".{remote.name}.json"
    stamp = {"etag": remote.etag, "size": remote.size, "commit": remote.commit}
    if part.exists() and _read_json(sidecar) != stamp:
        part.unlink()  # bytes of another version of the file: useless
    staging.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps(stamp), encoding="utf-8")
    digest = hashlib.sha256()
    have = _rehash(part, digest, cancel)
    meter = RateMeter("downloading", remote.name, remote.size)
    failures = 0
    while have < remote.size:
        cancel.raise_if_cancelled()
        try:
            with hub.stream(remote.url, start=have) as (response, restarted):
                if restarted:
                    have, digest = 0, hashlib.sha256()
                with part.open("r+b" if part.exists() else "wb") as fh:
                    fh.seek(have)
                    fh.truncate()
                    for chunk in response.iter_bytes():  # as they arrive: prompt cancel, smooth progress
                        cancel.raise_if_cancelled()
                        if have + len(chunk) > remote.size:
                            part.unlink(missing_ok=True)
                            raise ModelFileError(
                                f"{remote.name}: the server sent more bytes than the file has"
                            )
                        fh.write(chunk)
                        digest.update(chunk)
                        have += len(chunk)
                        failures = 0
                        event = meter.update(have)
                        if event:
                            yield event
            if have < remote.size:
                raise TransientError("the server ended the file early")
        except TransientError as exc:
            failures += 1
            if failures > retries:
                raise EnclaveError(
                    f"{remote.name}: download stopped after {failures} failed tries ({exc}); "
                    f"{have / _MIB:.0f} MiB are kept, run the download again to resume"
                ) from None
            yield StageChanged("retrying", f"connection lost ({exc}); resuming at {have / _MIB:.1f} MiB")
            logger.info("download interrupted at byte %d; retry %d", have, failures)
            if cancel.wait(retry_delay * 2 ** (failures - 1)):
                raise Cancelled("cancelled") from None
        except OSError as exc:
            if exc.errno in DISK_FULL_ERRNOS:
                shutil.rmtree(staging, ignore_errors=True)
                raise EnclaveError(
                    f"the disk is full: {remote.name} could not be written; nothing was installed"
                ) from None
            raise
    final = meter.update(have, force=True)
    if final:
        yield final
    actual = digest.hexdigest()
    if remote.sha256 and actual != remote.sha256:
        part.unlink(missing_ok=True)
        sidecar.unlink(missing_ok=True)
        raise ModelFileError(
            f"{remote.name}: sha256 mismatch (expected {remote.sha256[:12]}…, got {actual[:12]}…): "
            "the download is corrupt or was altered on the way; nothing was installed"
        )
    return actual


class _Hub:
    """The pieces of huggingface_hub the download uses, imported only here and only now."""

    def __init__(self, endpoint: str | None) -> None:
        # No telemetry, whoever calls us: with it on, huggingface_hub 2.x fetches an "agent
        # harness" registry from the Hub to extend its user agent, and caches it in HF_HOME.
        os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
        import httpx2
        import huggingface_hub as hf
        from huggingface_hub import constants
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        constants.HF_HUB_DISABLE_TELEMETRY = True  # read once at import; it may have been imported before
        self._hf = hf
        self._httpx = httpx2
        self._raise_for_status = hf_raise_for_status
        self._session = get_session()
        self._headers = build_hf_headers
        self.endpoint = endpoint
        self.host = urlparse(endpoint or constants.ENDPOINT).netloc
        self.transient: tuple[type[BaseException], ...] = (httpx2.TransportError,)
        self.caught: tuple[type[BaseException], ...] = (httpx2.TransportError, hf.errors.HfHubHTTPError)

    def describe(
        self, entry: CatalogEntry, file: CatalogFile, *, retries: int, retry_delay: float, cancel: CancelToken
    ) -> RemoteFile:
        """HEAD the pinned file: where it is, its size, its LFS sha256 and the commit served."""
        url = self._hf.hf_hub_url(entry.repo, file.name, revision=entry.revision, endpoint=self.endpoint)
        for attempt in range(retries + 1):
            try:
                meta = self._hf.get_hf_file_metadata(url, endpoint=self.endpoint)
                break
            except self.caught as exc:
                if not self._is_transient(exc) or attempt == retries:
                    raise EnclaveError(f"{entry.repo}/{file.name}: {self._explain(exc)}") from None
                if cancel.wait(retry_delay * 2**attempt):
                    raise Cancelled("cancelled") from None
        size = meta.size if meta.size is not None else file.size
        etag = (meta.etag or "").lower()
        hub_sha = etag if len(etag) == _SHA256_LEN and all(c in "0123456789abcdef" for c in etag) else ""
        if file.sha256 and hub_sha and hub_sha != file.sha256:
            raise ModelFileError(
                f"{file.name}: the Hub's copy (sha256 {hub_sha[:12]}…) is not the pinned file "
                f"({file.sha256[:12]}…); nothing was downloaded"
            )
        return RemoteFile(
            name=file.name,
            url=meta.location,
            size=size,
            sha256=file.sha256 or hub_sha,
            etag=etag,
            commit=meta.commit_hash or "",
        )

    def stream(self, url: str, *, start: int) -> Any:
        """A context manager giving `(response, restarted)` for the bytes from `start` on."""
        from contextlib import contextmanager

        @contextmanager
        def opened() -> Iterator[tuple[Any, bool]]:
            # The signed CDN location gets no Hub token; only the Hub itself does.
            same_host = urlparse(url).netloc == self.host
            headers = self._headers(token=None if same_host else False)
            headers["Accept-Encoding"] = "identity"  # byte ranges must mean file offsets
            if start:
                headers["Range"] = f"bytes={start}-"
            try:
                with self._session.stream("GET", url, headers=headers, timeout=30.0) as response:
                    if response.status_code >= 400:
                        response.read()
                    self._raise_for_status(response)
                    restarted = bool(start) and response.status_code == 200  # the server ignored Range
                    yield response, restarted
            except self.caught as exc:
                if self._is_transient(exc):
                    raise TransientError(self._explain(exc)) from None
                raise EnclaveError(self._explain(exc)) from None

        return opened()

    def _is_transient(self, exc: BaseException) -> bool:
        if isinstance(exc, self.transient):
            return True
        status = getattr(getattr(exc, "response", None), "status_code", 0) or 0
        return status == 429 or status >= 500

    def _explain(self, exc: BaseException) -> str:
        errors = self._hf.errors
        if isinstance(exc, errors.RepositoryNotFoundError):
            return f"the repository is not on {self.host}"
        if isinstance(exc, errors.RevisionNotFoundError):
            return f"the pinned revision is not on {self.host}"
        if isinstance(exc, errors.EntryNotFoundError):
            return f"the file is not in the repository on {self.host}"
        if isinstance(exc, errors.GatedRepoError):
            return "the repository is gated: accept its terms on the Hub and set HF_TOKEN"
        status = getattr(getattr(exc, "response", None), "status_code", 0)
        if status:
            return f"{self.host} answered HTTP {status}"
        return f"cannot reach {self.host} ({type(exc).__name__})"


def _install(
    entry: CatalogEntry,
    remotes: list[RemoteFile],
    hashes: dict[str, str],
    architecture: str,
    notes: tuple[str, ...],
    staging: Path,
    location: StoreLocation,
) -> InstalledModel:
    target = location.model_dir(entry.id)
    target.mkdir(parents=True, exist_ok=True)
    files = []
    for remote in remotes:
        # Same folder tree, same disk: the rename is atomic, a reader sees all or nothing.
        os.replace(staging / remote.name, target / remote.name)
        files.append(InstalledFile(remote.name, str(target / remote.name), remote.size, hashes[remote.name]))
    record = InstalledModel(
        id=entry.id,
        role=entry.role,
        files=tuple(files),
        source="download",
        verified=all(r.sha256 for r in remotes),
        architecture=architecture,
        catalog_id=entry.id,
        repo=entry.repo,
        revision=remotes[0].commit or entry.revision,
        discrepancies=notes,
        added=datetime.now(UTC).date().isoformat(),
    )
    manifest = Manifest.load(location.manifest_file)
    manifest.put(record)
    manifest.save()
    shutil.rmtree(staging, ignore_errors=True)
    logger.info("installed %s (%d file(s), %d bytes)", entry.id, len(files), record.size)
    return record


def _notes(entry: CatalogEntry, remotes: list[RemoteFile], facts: tuple[str, ...]) -> tuple[str, ...]:
    notes = [f"GGUF metadata differs from the catalog: {line}" for line in facts]
    by_name = {f.name: f for f in entry.files}
    for remote in remotes:
        pinned = by_name[remote.name].sha256
        listed = by_name[remote.name].size
        if listed and listed != remote.size:
            notes.append(f"{remote.name}: {remote.size} bytes on the Hub, the catalog says about {listed}")
        if not remote.sha256:
            notes.append(
                f"{remote.name}: no sha256 to check against (the server gave none); marked unverified"
            )
        elif not pinned:
            notes.append(f"{remote.name}: verified against the Hub's sha256 {remote.sha256[:12]}… (recorded)")
    return tuple(notes)


def _check_disk(needed: int, free: int) -> None:
    if needed > 0 and needed + DISK_MARGIN > free:
        raise EnclaveError(
            f"not enough disk space: the download needs {(needed + DISK_MARGIN) / 2**30:.1f} GiB, "
            f"{free / 2**30:.1f} GiB is free (free some space or set ENCLAVE_HOME to a bigger disk)"
        )


def _staged_bytes(part: Path) -> int:
    try:
        return part.stat().st_size
    except OSError:
        return 0


def _rehash(part: Path, digest: Digest, cancel: CancelToken) -> int:
    if not part.exists():
        return 0
    return max(feed_file(part, digest, cancel=cancel), default=0)  # the counts only grow


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
