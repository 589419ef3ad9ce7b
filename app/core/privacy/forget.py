"""The data policy, and "forget everything", which undoes all that the policy allows to be kept.

What Enclave keeps on disk, and nothing else:

- `settings.toml` in the config dir: preferences, plus the only paths it remembers (recent
  projects, the chosen model, extra model folders);
- `models.json` in the data dir: the installed models, with the paths of imported ones;
- model files (`*.gguf`) in the data dir's `models/` folder;
- in the cache dir, what the first-use probe found per model hash, llama.cpp build and CPU
  (`probes.json`), the models' hashes by path (`model-hashes.json`), and the KV state of
  the code-free start of a prompt (Enclave's system prompt and tool schemas, `kv-states/`).

Conversations, file contents, the project index, undo history and the privacy ledger live
in memory only. Forgetting clears every stored path; the model files themselves stay, since
they hold no user data and cost gigabytes to fetch again.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import EnclaveError
from app.core.paths import UserDirs
from app.core.runtime.probe_cache import HASHES_FILE
from app.core.runtime.saved_prefix import STATE_DIR
from app.core.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForgetReport:
    """What "forget everything" removed."""

    recent_projects: int
    settings_paths: int  # the chosen model, extra model folders and the files that were open
    manifest_entries: int  # models known only by a place on the user's disk outside the models folder
    links_removed: int  # symbolic links in the models folder that pointed at such a place
    ledger_entries: int


def forget_everything(dirs: UserDirs) -> ForgetReport:
    """Clear recent projects and every stored path in settings and the model manifest.

    A model whose file lies outside the models folder, or is a symbolic link to one, is
    dropped from the manifest (the file itself is the user's and stays where it is); models
    inside the folder stay installed. Also empties the in-memory privacy ledger.

    Raises:
        EnclaveError: a file could not be rewritten.

    """
    from app.core.privacy import guard

    settings = Settings.load(dirs.settings_file)
    recent = len(settings.recent_projects)
    other = len(settings.extra_model_dirs) + (1 if settings.model else 0) + len(settings.open_files)
    settings.forget_everything()
    if dirs.settings_file.exists():
        settings.save(dirs.settings_file)
    entries, links = _forget_outside_models(dirs.manifest_file, models_dir=dirs.models)
    # The probe's hash memo names model files by path; what the probes found names none.
    (dirs.cache / HASHES_FILE).unlink(missing_ok=True)
    # The saved code-free prompt states hold no project content, but they go too.
    shutil.rmtree(dirs.cache / STATE_DIR, ignore_errors=True)
    ledger_entries = len(guard.ledger())
    guard.clear_ledger()
    report = ForgetReport(
        recent_projects=recent,
        settings_paths=other,
        manifest_entries=entries,
        links_removed=links,
        ledger_entries=ledger_entries,
    )
    logger.info("forgot %s", report)
    return report


def _forget_outside_models(manifest_file: Path, *, models_dir: Path) -> tuple[int, int]:
    from app.core.store.manifest import Manifest

    damaged = manifest_file.with_name(manifest_file.name + ".damaged")
    existed = manifest_file.exists()
    manifest = Manifest.load(manifest_file)  # a damaged file is set aside: removed below
    dropped = links = 0
    for model in list(manifest.models):
        files = [Path(f.path) for f in model.files]
        if all(_inside(path, models_dir) and not _links_outside(path, models_dir) for path in files):
            continue
        for path in files:
            if path.is_symlink() and _inside(path, models_dir):
                path.unlink()
                links += 1
        manifest.remove(model.id)
        dropped += 1
    if dropped or (existed and not manifest_file.exists()):
        manifest.save()
    try:
        damaged.unlink(missing_ok=True)
    except OSError as exc:
        raise EnclaveError(f"could not remove {damaged}: {exc.strerror or exc}") from exc
    return dropped, links


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.expanduser().absolute().relative_to(folder.absolute())
    except ValueError:
        return False
    return True


def _links_outside(path: Path, folder: Path) -> bool:
    if not path.is_symlink():
        return False
    return not _inside(path.resolve(), folder.resolve())
