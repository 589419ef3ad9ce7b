"""Importing hand-copied GGUFs: checks on the source, a probe in a child process, then placement."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, EnclaveError, ModelFileError, ModelLoadError
from app.core.store.catalog import Catalog, CatalogFile
from app.core.store.location import StoreLocation
from app.core.store.manifest import Manifest
from app.core.store.model_import import import_model
from app.core.store.progress import ByteProgress, ModelReady, StageChanged
from tests.integration.test_download import make_entry
from tests.support.model_files import write_crashing_tiny, write_split_tiny


@pytest.fixture
def location() -> StoreLocation:
    return StoreLocation.default()


@pytest.fixture
def source(tiny_qwen2: Path, tmp_path: Path) -> Path:
    """A copy of the tiny model in a "Downloads" folder, as a user would have it."""
    folder = tmp_path / "Downloads"
    folder.mkdir()
    return Path(shutil.copy(tiny_qwen2, folder / "Tiny-Qwen2-Q8_0.gguf"))


@pytest.fixture(scope="module")
def crashing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_crashing_tiny(tmp_path_factory.mktemp("crash") / "crashes-llama.gguf")


EMPTY = Catalog(())


def do_import(path: Path, **kwargs: object) -> list[object]:
    kwargs.setdefault("cancel", CancelToken())
    kwargs.setdefault("catalog", EMPTY)
    return list(import_model(path, **kwargs))  # type: ignore[arg-type]


def assert_nothing_placed(location: StoreLocation) -> None:
    placed = list(location.models.rglob("*")) if location.models.exists() else []
    assert placed == []
    assert Manifest.load(location.manifest_file).models == []


def test_import_copies_a_probed_model(source: Path, location: StoreLocation) -> None:
    events = do_import(source)

    stages = [e.stage for e in events if isinstance(e, StageChanged)]
    assert stages == ["checking", "hashing", "probing", "installing"]
    ready = events[-1]
    assert isinstance(ready, ModelReady)
    model = ready.model
    assert model.id == "tiny-qwen2-q8_0"
    assert model.path == location.model_dir(model.id) / source.name
    assert model.path.read_bytes() == source.read_bytes()  # a copy; the original stays
    assert source.exists()
    assert model.files[0].sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert (model.role, model.source, model.verified, model.architecture) == (
        "unknown",
        "copy",
        False,
        "qwen2",
    )
    assert Manifest.load(location.manifest_file).get(model.id) == model


def test_import_move_and_link(source: Path, tmp_path: Path) -> None:
    linked_src = Path(shutil.copy(source, tmp_path / "other.gguf"))
    moved = do_import(source, mode="move", probe=False)[-1]
    assert isinstance(moved, ModelReady) and not source.exists() and moved.model.path.is_file()

    # A different file (not a duplicate of the moved one): change the last byte of tensor data.
    data = bytearray(linked_src.read_bytes())
    data[-1] ^= 1
    linked_src.write_bytes(bytes(data))
    linked = do_import(linked_src, mode="link", probe=False)[-1]
    assert isinstance(linked, ModelReady) and linked.model.source == "link"
    assert linked.model.path.stat().st_ino == linked_src.stat().st_ino  # a hard link, no second copy


def test_a_catalog_model_is_recognised_by_its_sha256(source: Path) -> None:
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    catalog = Catalog((make_entry((CatalogFile("official-name.gguf", source.stat().st_size, sha),)),))
    ready = do_import(source, catalog=catalog, probe=False)[-1]
    assert isinstance(ready, ModelReady)
    assert (ready.model.id, ready.model.role, ready.model.verified) == ("tiny", "agent", True)
    assert ready.model.discrepancies == ()


def test_a_catalog_name_without_a_pinned_hash_is_recognised_but_unverified(source: Path) -> None:
    catalog = Catalog((make_entry((CatalogFile(source.name, 0, ""),), n_kv_heads=8),))
    ready = do_import(source, catalog=catalog, probe=False)[-1]
    assert isinstance(ready, ModelReady)
    assert (ready.model.id, ready.model.verified) == ("tiny", False)
    assert ready.model.discrepancies == ("n_kv_heads: catalog 8, file 2",)


def test_a_file_named_like_a_catalog_model_with_another_hash_is_not_taken_for_it(source: Path) -> None:
    catalog = Catalog((make_entry((CatalogFile(source.name, 0, "ab" * 32),)),))
    ready = do_import(source, catalog=catalog, probe=False)[-1]
    assert isinstance(ready, ModelReady) and ready.model.catalog_id == ""
    assert any("sha256 differs" in n for n in ready.notes)


def test_importing_the_same_file_twice_keeps_one_copy(source: Path, location: StoreLocation) -> None:
    first = do_import(source, probe=False)[-1]
    second = do_import(source, probe=False)[-1]
    assert isinstance(second, ModelReady) and second.already_installed
    assert isinstance(first, ModelReady) and second.model.id == first.model.id
    assert len(Manifest.load(location.manifest_file).models) == 1


def test_reimporting_a_model_whose_file_went_missing_repairs_its_entry(
    source: Path, location: StoreLocation
) -> None:
    first = do_import(source, probe=False)[-1]
    assert isinstance(first, ModelReady)
    first.model.path.unlink()  # the user deleted it by hand
    again = do_import(source, probe=False)[-1]
    assert isinstance(again, ModelReady) and not again.already_installed
    assert again.model.id == first.model.id  # not "tiny-qwen2-q8_0-2"
    assert any("repairs" in n for n in again.notes)
    models = Manifest.load(location.manifest_file).models
    assert [m.id for m in models] == [first.model.id] and models[0].present()


def test_a_copy_that_cannot_fit_is_refused_before_hashing(
    source: Path, location: StoreLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.core.store.model_import as model_import

    monkeypatch.setattr(StoreLocation, "free_disk", lambda self: source.stat().st_size)  # no margin left
    monkeypatch.setattr(
        model_import, "hash_file", lambda *a, **k: pytest.fail("hashed before the disk check")
    )
    with pytest.raises(EnclaveError, match="the disk is full"):
        do_import(source, mode="copy")
    assert_nothing_placed(location)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.gguf", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: _write(d / "notes.txt", b"GGUF"), "not a .gguf"),
        (lambda d: _write(d / "readme.gguf", b"# hello\n" * 100), "not a GGUF model file"),
        (lambda d: _write(d / "empty.gguf", b""), "empty"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing(
    tmp_path: Path, location: StoreLocation, make: object, message: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ModelFileError, match=message):
        do_import(path)
    assert_nothing_placed(location)


def test_a_truncated_model_is_refused(source: Path, location: StoreLocation) -> None:
    data = source.read_bytes()
    source.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="truncated"):
        do_import(source)
    assert_nothing_placed(location)


def test_a_file_that_crashes_llama_cpp_is_caught_by_the_probe(crashing: Path) -> None:
    # Python validation refuses this file too (see the runtime tests); the probe is the
    # second line of defence for crashes validation cannot foresee, so it is run directly.
    from app.core.runtime.load_probe import probe_model

    with pytest.raises(ModelLoadError, match="crashed with every setting tried") as info:
        probe_model(crashing)
    assert "SIGABRT" in str(info.value) and "GGML_ASSERT" in str(info.value)


def test_a_file_that_would_crash_llama_cpp_is_refused_and_nothing_placed(
    crashing: Path, location: StoreLocation
) -> None:
    with pytest.raises(EnclaveError, match="rope dimension"):
        do_import(crashing)
    assert crashing.exists()  # the user's file is untouched
    assert_nothing_placed(location)


def test_split_model_is_imported_whole(tmp_path: Path, location: StoreLocation) -> None:
    parts = write_split_tiny(tmp_path)
    ready = do_import(parts[0], mode="copy")[-1]  # probed: llama.cpp loads both shards
    assert isinstance(ready, ModelReady)
    assert [Path(f.path).name for f in ready.model.files] == [p.name for p in parts]
    assert all(Path(f.path).is_file() for f in ready.model.files)


def test_split_model_needs_its_first_part_and_every_part(tmp_path: Path, location: StoreLocation) -> None:
    parts = write_split_tiny(tmp_path)
    with pytest.raises(ModelFileError, match="give the first part"):
        do_import(parts[1])
    parts[1].unlink()
    with pytest.raises(ModelFileError, match="1 of 2 parts are missing"):
        do_import(parts[0])
    assert_nothing_placed(location)


def test_cancel_while_hashing_leaves_nothing(source: Path, location: StoreLocation) -> None:
    cancel = CancelToken()
    with pytest.raises(Cancelled):
        for event in import_model(source, cancel=cancel, catalog=EMPTY):
            if isinstance(event, StageChanged) and event.stage == "hashing":
                cancel.cancel()
    assert_nothing_placed(location)


def test_cancel_while_copying_removes_the_partial_copy(source: Path, location: StoreLocation) -> None:
    # A model bigger than one copy chunk, so the copy reports progress before it ends.
    big = source.with_name("big.gguf")
    big.write_bytes(source.read_bytes() + b"\0" * (5 * 2**20))
    cancel = CancelToken()
    with pytest.raises(Cancelled):
        for event in import_model(big, cancel=cancel, catalog=EMPTY, probe=False):
            if isinstance(event, ByteProgress) and event.stage == "copying":
                cancel.cancel()
    assert_nothing_placed(location)


def test_a_moved_model_goes_back_when_the_import_fails_late(
    source: Path, location: StoreLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.errors import EnclaveError

    def refuse(self: Manifest) -> None:
        raise EnclaveError("could not save the model list")

    monkeypatch.setattr(Manifest, "save", refuse)
    original = source.read_bytes()
    with pytest.raises(EnclaveError):
        do_import(source, mode="move", probe=False)
    assert source.read_bytes() == original
    assert not location.model_dir("tiny-qwen2-q8_0").exists()


def test_catalog_entry_change_does_not_hide_a_bad_copy(source: Path) -> None:
    # The catalog pins two parts, the user has only the first: recognised, but not verified.
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    entry = make_entry((CatalogFile("a.gguf", 0, sha), CatalogFile("b.gguf", 0, "cd" * 32)))
    ready = do_import(source, catalog=Catalog((replace(entry),)), probe=False)[-1]
    assert isinstance(ready, ModelReady) and not ready.model.verified


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
