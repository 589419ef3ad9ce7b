from __future__ import annotations

import json
from pathlib import Path

from app.core.paths import user_dirs
from app.core.privacy import guard
from app.core.privacy.forget import forget_everything
from app.core.settings import Settings


def test_forget_everything_clears_settings_paths_and_imported_model_paths(tmp_path: Path) -> None:
    dirs = user_dirs()  # ENCLAVE_HOME points into tmp (tests/conftest.py)
    outside = tmp_path / "Downloads" / "my-model.gguf"
    settings = Settings(model=str(outside), theme="dark", n_ctx=4096)
    settings.add_recent_project(tmp_path / "secret-project")
    settings.add_recent_project(tmp_path / "other-project")
    settings.extra_model_dirs = [str(tmp_path / "Downloads")]
    settings.save(dirs.settings_file)
    dirs.models.mkdir(parents=True)
    managed = dirs.models / "qwen3-4b.gguf"
    dirs.manifest_file.write_text(
        json.dumps(
            {
                "models": [
                    {"id": "qwen3-4b", "path": str(managed), "source": "Qwen/Qwen3-4B-GGUF"},
                    {"id": "imported", "path": str(outside), "sha256": "ab"},
                    {"id": "copied", "path": "copied.gguf", "imported_from": str(outside)},
                ]
            }
        ),
        encoding="utf-8",
    )
    with guard.network_gate("a download before forgetting"):
        pass

    report = forget_everything(dirs)

    assert (report.recent_projects, report.settings_paths) == (2, 2)
    assert (report.manifest_entries, report.manifest_paths) == (1, 1)
    assert report.ledger_entries >= 2
    assert guard.ledger() == []
    kept = Settings.load(dirs.settings_file)
    assert kept.recent_projects == [] and kept.extra_model_dirs == [] and kept.model == ""
    assert (kept.theme, kept.n_ctx) == ("dark", 4096)  # preferences stay
    for stored in (dirs.settings_file, dirs.manifest_file):
        text = stored.read_text(encoding="utf-8")
        assert "secret-project" not in text and "Downloads" not in text
    models = json.loads(dirs.manifest_file.read_text(encoding="utf-8"))["models"]
    assert models == [
        {"id": "qwen3-4b", "path": str(managed), "source": "Qwen/Qwen3-4B-GGUF"},
        {"id": "copied", "path": "copied.gguf"},
    ]


def test_forget_everything_on_a_fresh_install_writes_nothing() -> None:
    dirs = user_dirs()
    report = forget_everything(dirs)
    assert (report.recent_projects, report.manifest_entries) == (0, 0)
    assert not dirs.settings_file.exists()
    assert not dirs.manifest_file.exists()


def test_an_unreadable_manifest_is_emptied_rather_than_left_holding_paths() -> None:
    dirs = user_dirs()
    dirs.data.mkdir(parents=True)
    dirs.manifest_file.write_text('{"models": [{"path": "/home/me/secret', encoding="utf-8")

    report = forget_everything(dirs)

    assert report.manifest_entries == 1
    assert "secret" not in dirs.manifest_file.read_text(encoding="utf-8")
