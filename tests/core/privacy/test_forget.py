from __future__ import annotations

import os
from pathlib import Path

from app.core.paths import user_dirs
from app.core.privacy import guard
from app.core.privacy.forget import forget_everything
from app.core.settings import Settings
from app.core.store.manifest import InstalledFile, InstalledModel, Manifest


def _model(model_id: str, path: Path, *, source: str) -> InstalledModel:
    return InstalledModel(
        id=model_id,
        role="agent",
        files=(InstalledFile(name=path.name, path=str(path), size=4, sha256="ab"),),
        source=source,
        verified=True,
        architecture="qwen3",
    )


def test_forget_everything_clears_settings_paths_and_models_known_by_outside_paths(tmp_path: Path) -> None:
    dirs = user_dirs()  # ENCLAVE_HOME points into tmp (tests/conftest.py)
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    users_file = downloads / "my-model.gguf"
    users_file.write_bytes(b"GGUF")
    settings = Settings(model=str(users_file), theme="dark", n_ctx=4096)
    settings.add_recent_project(tmp_path / "secret-project")
    settings.add_recent_project(tmp_path / "other-project")
    settings.extra_model_dirs = [str(downloads)]
    settings.open_files = [str(tmp_path / "other-project" / "secret_plan.py")]
    settings.save(dirs.settings_file)

    managed = dirs.models / "qwen3-4b" / "qwen3-4b.gguf"
    managed.parent.mkdir(parents=True)
    managed.write_bytes(b"GGUF")
    link = dirs.models / "linked" / "my-model.gguf"
    link.parent.mkdir()
    os.symlink(users_file, link)
    manifest = Manifest(dirs.manifest_file)
    manifest.put(_model("qwen3-4b", managed, source="download"))
    manifest.put(_model("linked", link, source="link"))
    manifest.put(_model("elsewhere", users_file, source="link"))
    manifest.save()
    with guard.network_gate("a download before forgetting"):
        pass

    report = forget_everything(dirs)

    assert (report.recent_projects, report.settings_paths) == (2, 3)
    assert (report.manifest_entries, report.links_removed) == (2, 1)
    assert report.ledger_entries >= 2
    assert guard.ledger() == []
    kept = Settings.load(dirs.settings_file)
    assert kept.recent_projects == [] and kept.extra_model_dirs == [] and kept.model == ""
    assert kept.open_files == []
    assert (kept.theme, kept.n_ctx) == ("dark", 4096)  # preferences stay
    for stored in (dirs.settings_file, dirs.manifest_file):
        text = stored.read_text(encoding="utf-8")
        assert "secret-project" not in text and "Downloads" not in text and "secret_plan" not in text
    assert [m.id for m in Manifest.load(dirs.manifest_file).models] == ["qwen3-4b"]
    assert managed.is_file()  # the app's own model stays installed
    assert not os.path.lexists(link)  # the link that named the user's folder is gone
    assert users_file.read_bytes() == b"GGUF"  # the user's own file is untouched


def test_forget_everything_on_a_fresh_install_writes_nothing() -> None:
    dirs = user_dirs()
    report = forget_everything(dirs)
    assert (report.recent_projects, report.manifest_entries) == (0, 0)
    assert not dirs.settings_file.exists()
    assert not dirs.manifest_file.exists()


def test_a_damaged_manifest_is_not_kept_aside_with_its_paths() -> None:
    dirs = user_dirs()
    dirs.data.mkdir(parents=True)
    dirs.manifest_file.write_text('{"models": [{"path": "/home/me/secret', encoding="utf-8")

    forget_everything(dirs)

    leftovers = [p for p in dirs.data.iterdir() if "secret" in p.read_text(encoding="utf-8")]
    assert leftovers == []
    assert Manifest.load(dirs.manifest_file).models == []
