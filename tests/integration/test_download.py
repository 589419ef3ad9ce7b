"""Downloads with the real huggingface-hub client against a fake Hub and CDN on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, EnclaveError, ModelFileError
from app.core.privacy import guard
from app.core.store.catalog import CatalogEntry, CatalogFile
from app.core.store.download import download_model
from app.core.store.location import StoreLocation
from app.core.store.manifest import Manifest
from app.core.store.progress import ByteProgress, ModelReady, StageChanged
from tests.support.fake_hub import COMMIT, FakeHub, running_hub

REPO = "test-org/tiny-GGUF"
NAME = "tiny-q8_0.gguf"


def make_entry(files: tuple[CatalogFile, ...], **changes: object) -> CatalogEntry:
    base = CatalogEntry(
        id="tiny",
        name="Tiny test model",
        role="agent",
        rank=1,
        repo=REPO,
        revision=COMMIT,
        quantization="F32",
        parameters=0.01,
        license="apache-2.0",
        architecture="qwen2",
        n_layers=2,
        n_kv_heads=2,
        key_length=16,
        value_length=16,
        context_length=4096,
        files=files,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def model_bytes(tiny_qwen2: Path) -> bytes:
    return tiny_qwen2.read_bytes()


@pytest.fixture
def hub(model_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with running_hub() as fake:
        fake.add(REPO, NAME, model_bytes)
        monkeypatch.setenv("HF_ENDPOINT", fake.hub_url)
        yield fake


@pytest.fixture
def entry(model_bytes: bytes) -> CatalogEntry:
    return make_entry((CatalogFile(NAME, len(model_bytes), ""),))


@pytest.fixture
def location() -> StoreLocation:
    return StoreLocation.default()


def run(entry: CatalogEntry, **kwargs: object) -> list[object]:
    kwargs.setdefault("cancel", CancelToken())
    kwargs.setdefault("retry_delay", 0.0)
    kwargs.setdefault("probe", False)
    return list(download_model(entry, **kwargs))  # type: ignore[arg-type]


def assert_nothing_installed(location: StoreLocation, entry: CatalogEntry) -> None:
    assert not location.model_dir(entry.id).exists()
    assert not location.staging(entry.id).exists()
    assert Manifest.load(location.manifest_file).models == []


def test_download_verifies_probes_and_installs(
    hub: FakeHub, entry: CatalogEntry, location: StoreLocation, model_bytes: bytes
) -> None:
    events = run(entry, probe=True)

    stages = [e.stage for e in events if isinstance(e, StageChanged)]
    assert stages == ["connecting", "downloading", "checking", "probing", "installing"]
    progress = [e for e in events if isinstance(e, ByteProgress)]
    assert progress[-1].done == progress[-1].total == len(model_bytes)
    ready = events[-1]
    assert isinstance(ready, ModelReady)
    model = ready.model
    sha = hashlib.sha256(model_bytes).hexdigest()
    assert model.path == location.model_dir("tiny") / NAME
    assert model.path.read_bytes() == model_bytes
    assert (model.files[0].sha256, model.verified, model.revision) == (sha, True, COMMIT)
    assert any("Hub's sha256" in note for note in ready.notes)
    assert Manifest.load(location.manifest_file).get("tiny") == model
    assert not location.staging("tiny").exists()
    # The pinned revision was asked for; the signed CDN URL got no Hub token.
    head = hub.hub.requests[0]
    assert (head.method, head.path) == ("HEAD", f"/{REPO}/resolve/{COMMIT}/{NAME}")
    assert "authorization" not in hub.cdn.gets()[0].headers
    # Nothing else was asked of the Hub (huggingface_hub's telemetry stays off).
    assert [r.method for r in hub.hub.requests] == ["HEAD"]
    # The network gate was open around it, and the ledger says so.
    opened = [e for e in guard.ledger() if e.operation == "gate-open" and e.target == "download tiny"]
    assert opened


def test_already_installed_model_is_not_fetched_again(hub: FakeHub, entry: CatalogEntry) -> None:
    run(entry)
    before = len(hub.hub.requests)
    events = run(entry)
    assert isinstance(events[-1], ModelReady) and events[-1].already_installed
    assert len(hub.hub.requests) == before


def test_dropped_connection_resumes_with_a_range_request(
    hub: FakeHub, entry: CatalogEntry, model_bytes: bytes
) -> None:
    hub.cdn.faults = ["drop:100000"]
    events = run(entry)

    assert isinstance(events[-1], ModelReady)
    assert events[-1].model.path.read_bytes() == model_bytes
    gets = hub.cdn.gets()
    assert len(gets) == 2 and gets[1].headers["range"] == "bytes=100000-"
    assert hub.bytes_sent == len(model_bytes)  # no byte was sent twice
    assert any(isinstance(e, StageChanged) and e.stage == "retrying" for e in events)


def test_interrupted_download_resumes_on_the_next_run(
    hub: FakeHub, entry: CatalogEntry, location: StoreLocation, model_bytes: bytes
) -> None:
    hub.cdn.faults = ["drop:200000", 500]
    with pytest.raises(EnclaveError, match="run the download again to resume"):
        run(entry, retries=1)
    assert (location.staging("tiny") / NAME).stat().st_size == 200000
    assert Manifest.load(location.manifest_file).models == []

    events = run(entry)
    assert isinstance(events[-1], ModelReady)
    assert events[-1].model.path.read_bytes() == model_bytes
    assert hub.cdn.gets()[-1].headers["range"] == "bytes=200000-"


def test_sha256_mismatch_is_rejected_and_nothing_installed(
    hub: FakeHub, entry: CatalogEntry, location: StoreLocation, model_bytes: bytes
) -> None:
    corrupt = bytearray(model_bytes)
    corrupt[len(corrupt) // 2] ^= 0xFF
    hub.files[(REPO, NAME)].served = bytes(corrupt)

    with pytest.raises(ModelFileError, match="sha256 mismatch"):
        run(entry)
    assert_nothing_installed(location, entry)


def test_hub_file_that_is_not_the_pinned_one_is_refused_before_download(
    hub: FakeHub, model_bytes: bytes, location: StoreLocation
) -> None:
    pinned = make_entry((CatalogFile(NAME, len(model_bytes), "ab" * 32),))
    with pytest.raises(ModelFileError, match="not the pinned file"):
        run(pinned)
    assert hub.cdn.gets() == []
    assert_nothing_installed(location, pinned)


def test_catalog_sha256_is_enforced(hub: FakeHub, model_bytes: bytes) -> None:
    sha = hashlib.sha256(model_bytes).hexdigest()
    pinned = make_entry((CatalogFile(NAME, len(model_bytes), sha),))
    ready = run(pinned)[-1]
    assert isinstance(ready, ModelReady) and ready.model.verified
    assert not any("Hub's sha256" in n for n in ready.notes)


def test_without_any_sha256_the_model_is_marked_unverified(hub: FakeHub, entry: CatalogEntry) -> None:
    hub.send_etag = False  # a mirror that only sends a plain ETag
    ready = run(entry)[-1]
    assert isinstance(ready, ModelReady) and not ready.model.verified
    assert any("no sha256" in n for n in ready.notes)


def test_not_enough_disk_is_refused_before_the_network_opens(
    hub: FakeHub, entry: CatalogEntry, location: StoreLocation
) -> None:
    with pytest.raises(EnclaveError, match="not enough disk space"):
        run(entry, free_disk=lambda: 10 * 2**20)
    assert hub.hub.requests == []
    assert_nothing_installed(location, entry)


def test_a_catalog_size_that_was_only_an_estimate_is_noted(hub: FakeHub, model_bytes: bytes) -> None:
    estimated = make_entry((CatalogFile(NAME, len(model_bytes) + 1000, ""),))
    ready = run(estimated)[-1]
    assert isinstance(ready, ModelReady)
    assert any(f"{len(model_bytes)} bytes on the Hub" in n for n in ready.notes)


def test_unknown_size_is_checked_against_disk_after_the_head(hub: FakeHub, location: StoreLocation) -> None:
    unsized = make_entry((CatalogFile(NAME, 0, ""),))
    with pytest.raises(EnclaveError, match="not enough disk space"):
        run(unsized, free_disk=lambda: 2**20)
    assert len(hub.hub.requests) == 1 and hub.cdn.gets() == []


def test_disk_filling_up_mid_download_leaves_nothing(hub: FakeHub, tmp_path: Path) -> None:
    # A real failing write: the child may not grow any file past 64 KiB (RLIMIT_FSIZE).
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from app.core.errors import EnclaveError
        from app.core.cancel import CancelToken
        from app.core.store.download import download_model
        from tests.integration.test_download import make_entry
        from app.core.store.catalog import CatalogFile
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        entry = make_entry((CatalogFile({NAME!r}, 0, ""),))
        try:
            list(download_model(entry, cancel=CancelToken(), probe=False, retry_delay=0))
        except EnclaveError as exc:
            print(exc)
        """
    )
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"ENCLAVE_HOME": str(home), "HF_ENDPOINT": hub.hub_url, "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert "the disk is full" in result.stdout, result.stderr[-2000:]
    location = StoreLocation(models=home / "data" / "models", manifest_file=home / "data" / "models.json")
    assert not location.model_dir("tiny").exists()
    assert not location.staging("tiny").exists()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: replace(e, repo="test-org/missing"), "repository is not on"),
        (lambda e: replace(e, revision="f" * 40), "pinned revision is not on"),
        (lambda e: replace(e, files=(CatalogFile("absent.gguf", 10, ""),)), "file is not in the repository"),
    ],
)
def test_hub_refusals_name_the_cause(
    hub: FakeHub, entry: CatalogEntry, location: StoreLocation, mutate: object, message: str
) -> None:
    bad = mutate(entry)  # type: ignore[operator]
    with pytest.raises(EnclaveError, match=message):
        run(bad)
    assert_nothing_installed(location, bad)


def test_server_errors_are_retried_then_reported(
    hub: FakeHub, entry: CatalogEntry, location: StoreLocation
) -> None:
    hub.hub.faults = [500, 500, 500]
    with pytest.raises(EnclaveError, match="HTTP 500"):
        run(entry, retries=2)
    assert len(hub.hub.requests) == 3
    assert_nothing_installed(location, entry)


def test_a_passing_server_error_is_survived(hub: FakeHub, entry: CatalogEntry, model_bytes: bytes) -> None:
    hub.hub.faults = [503]
    hub.cdn.faults = [502]
    ready = run(entry)[-1]
    assert isinstance(ready, ModelReady) and ready.model.path.read_bytes() == model_bytes


def test_cancel_mid_download_leaves_nothing(
    hub: FakeHub, entry: CatalogEntry, location: StoreLocation
) -> None:
    cancel = CancelToken()
    seen = []
    with pytest.raises(Cancelled):
        for event in download_model(entry, cancel=cancel, probe=False, retry_delay=0):
            if isinstance(event, ByteProgress):
                seen.append(event.done)
                cancel.cancel()
    assert seen and seen[0] < entry.size
    assert_nothing_installed(location, entry)


def test_metadata_that_contradicts_the_catalog_is_recorded(hub: FakeHub, model_bytes: bytes) -> None:
    wrong = make_entry((CatalogFile(NAME, len(model_bytes), ""),), n_layers=36)
    ready = run(wrong)[-1]
    assert isinstance(ready, ModelReady)
    assert not any("bytes on the Hub" in n for n in ready.notes)
    assert ready.model.discrepancies == ("n_layers: catalog 36, file 2",)
    saved = json.loads(StoreLocation.default().manifest_file.read_text())
    assert saved["models"][0]["discrepancies"] == ["n_layers: catalog 36, file 2"]


def test_split_model_downloads_every_part_and_loads(hub: FakeHub, split_parts: list[Path]) -> None:
    files = []
    for part in split_parts:
        hub.add(REPO, part.name, part.read_bytes())
        files.append(CatalogFile(part.name, part.stat().st_size, ""))
    ready = run(make_entry(tuple(files), id="tiny-split"), probe=True)[-1]
    assert isinstance(ready, ModelReady)
    assert [Path(f.path).read_bytes() for f in ready.model.files] == [p.read_bytes() for p in split_parts]


def test_tls_verification_is_never_turned_off() -> None:
    store = Path(__file__).resolve().parents[2] / "app" / "core" / "store"
    source = "\n".join(p.read_text() for p in store.glob("*.py"))
    for weakening in ("verify=False", "CERT_NONE", "check_hostname = False", "set_client_factory"):
        assert weakening not in source


@pytest.fixture(scope="module")
def split_parts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from tests.support.model_files import write_split_tiny

    return write_split_tiny(tmp_path_factory.mktemp("split"))


def test_download_works_under_the_network_guard_and_closes_it_again(hub: FakeHub, tmp_path: Path) -> None:
    # The guard sets HF_HUB_OFFLINE=1; only the gate around the download lifts it.
    script = textwrap.dedent(
        f"""
        from app.core.privacy import guard
        guard.install()
        from app.core.cancel import CancelToken
        from app.core.store.download import download_model
        from app.core.store.catalog import CatalogFile
        from tests.integration.test_download import make_entry
        entry = make_entry((CatalogFile({NAME!r}, 0, ""),))
        *_, ready = download_model(entry, cancel=CancelToken(), probe=False, retry_delay=0)
        from huggingface_hub import constants
        print("installed", ready.model.id, "offline-after", constants.HF_HUB_OFFLINE, guard.gate_open())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"ENCLAVE_HOME": str(tmp_path / "home"), "HF_ENDPOINT": hub.hub_url, "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert "installed tiny offline-after True False" in result.stdout, result.stderr[-2000:]
