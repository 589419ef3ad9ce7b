"""The data policy, and "forget everything", which undoes all that the policy allows to be kept.

What Enclave keeps on disk, and nothing else:

- `settings.toml` in the config dir: preferences, plus the only paths it remembers (recent
  projects, the chosen model, extra model folders);
- `models.json` in the data dir: the installed models, with the paths of imported ones;
- model files (`*.gguf`) in the data dir's `models/` folder.

Conversations, file contents, the project index, undo history and the privacy ledger live
in memory only. Forgetting clears every stored path; the model files themselves stay, since
they hold no user data and cost gigabytes to fetch again.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import EnclaveError
from app.core.paths import UserDirs
from app.core.settings import Settings

logger = logging.getLogger(__name__)

# Keys of a manifest entry that may hold a path from the user's disk.
PATH_KEYS = ("path", "source", "source_path", "imported_from", "origin")


@dataclass(frozen=True)
class ForgetReport:
    """What "forget everything" removed."""

    recent_projects: int
    settings_paths: int  # the chosen model and extra model folders
    manifest_entries: int  # models that were only known by a path outside the models folder
    manifest_paths: int  # other path fields dropped from manifest entries
    ledger_entries: int


def forget_everything(dirs: UserDirs) -> ForgetReport:
    """Clear recent projects and every stored path in settings and the model manifest.

    Also empties the in-memory privacy ledger.

    Raises:
        EnclaveError: a file could not be rewritten.

    """
    from app.core.privacy import guard

    settings = Settings.load(dirs.settings_file)
    recent = len(settings.recent_projects)
    other = len(settings.extra_model_dirs) + (1 if settings.model else 0)
    settings.forget_everything()
    if dirs.settings_file.exists():
        settings.save(dirs.settings_file)
    entries, paths = _forget_manifest_paths(dirs.manifest_file, models_dir=dirs.models)
    ledger_entries = len(guard.ledger())
    guard.clear_ledger()
    report = ForgetReport(
        recent_projects=recent,
        settings_paths=other,
        manifest_entries=entries,
        manifest_paths=paths,
        ledger_entries=ledger_entries,
    )
    logger.info("forgot %s", report)
    return report


def _forget_manifest_paths(manifest: Path, *, models_dir: Path) -> tuple[int, int]:
    try:
        raw = manifest.read_text(encoding="utf-8")
    except FileNotFoundError:
        return 0, 0
    except OSError as exc:
        raise EnclaveError(f"could not read {manifest}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        # A manifest we cannot read may still hold paths: the store rebuilds it from the folder.
        _replace_atomically(manifest, json.dumps({"models": []}, indent=2) + "\n")
        return 1, 0
    entries = data.get("models") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return 0, 0
    kept: list[Any] = []
    dropped_entries = dropped_paths = 0
    for entry in entries:
        if not isinstance(entry, dict):
            kept.append(entry)
            continue
        location = entry.get("path")
        if isinstance(location, str) and not _inside(location, models_dir):
            dropped_entries += 1
            continue
        for key in PATH_KEYS[1:]:
            value = entry.get(key)
            if isinstance(value, str) and _looks_like_path(value) and not _inside(value, models_dir):
                del entry[key]
                dropped_paths += 1
        kept.append(entry)
    if dropped_entries or dropped_paths:
        if isinstance(data, dict):
            data["models"] = kept
        else:
            data = kept
        _replace_atomically(manifest, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return dropped_entries, dropped_paths


def _inside(location: str, folder: Path) -> bool:
    path = Path(location).expanduser()
    if not path.is_absolute():
        return ".." not in path.parts  # relative entries are relative to the models folder
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _looks_like_path(value: str) -> bool:
    # Absolute paths only: repo ids ("Qwen/Qwen3-4B") and URLs are not the user's disk.
    return value.startswith(("/", "~", "\\")) or (len(value) > 2 and value[1] == ":" and value[2] in "/\\")


def _replace_atomically(path: Path, text: str) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise EnclaveError(f"could not rewrite {path}: {exc.strerror or exc}") from exc
