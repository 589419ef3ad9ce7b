"""The manifest records installed models atomically and survives damage."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.store.manifest import InstalledFile, InstalledModel, Manifest


def record(model_id: str, path: Path, *, role: str = "agent", sha: str = "aa") -> InstalledModel:
    return InstalledModel(
        id=model_id,
        role=role,
        files=(InstalledFile(path.name, str(path), 3, sha),),
        source="copy",
        verified=True,
        architecture="qwen2",
    )


def test_round_trip_and_replace(tmp_path: Path) -> None:
    path = tmp_path / "data" / "models.json"
    manifest = Manifest.load(path)
    assert manifest.models == []
    manifest.put(record("a", tmp_path / "a.gguf"))
    manifest.put(record("b", tmp_path / "b.gguf", sha="bb"))
    manifest.put(record("a", tmp_path / "a2.gguf"))
    manifest.save()

    again = Manifest.load(path)
    assert [m.id for m in again.models] == ["b", "a"]
    assert again.get("A").path == tmp_path / "a2.gguf"  # type: ignore[union-attr]
    assert again.find_sha256("bb").id == "b"  # type: ignore[union-attr]
    assert again.remove("b") is not None and again.get("b") is None
    assert not list(path.parent.glob(".models-*"))  # no temp files left


def test_damaged_manifest_is_set_aside_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text("{not json")
    assert Manifest.load(path).models == []
    assert (tmp_path / "models.json.damaged").read_text() == "{not json"


def test_malformed_entries_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    good = record("a", tmp_path / "a.gguf").as_dict()
    path.write_text(json.dumps({"schema": 1, "models": [good, {"id": "broken"}]}))
    assert [m.id for m in Manifest.load(path).models] == ["a"]


def test_manifest_holds_ids_paths_and_hashes_only(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    manifest = Manifest.load(path)
    manifest.put(record("a", tmp_path / "a.gguf"))
    manifest.save()
    keys = set(json.loads(path.read_text())["models"][0])
    assert keys == {
        "id", "role", "files", "source", "verified", "architecture", "catalog_id", "repo", "revision",
        "discrepancies", "added",
    }  # fmt: skip
