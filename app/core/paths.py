"""The one place that resolves where Enclave's files live.

By default the platform's user dirs (via platformdirs). The environment variable
`ENCLAVE_HOME` replaces all of them with one folder: portable installs and tests use it;
`ENCLAVE_CACHE` moves the cache folder alone (the test suite shares one across tests). A frozen
app with a `portable` marker or a `data/` folder beside its executable keeps everything there.
Resources and the shipped model catalog resolve against the source tree or, in a frozen
app, against the bundle.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "Enclave"
HOME_ENV = "ENCLAVE_HOME"
PORTABLE_MARKER = "portable"  # a file of this name beside the frozen executable: keep data beside it
CACHE_ENV = "ENCLAVE_CACHE"  # the cache folder alone (what probes found; no code, no content)


@dataclass(frozen=True)
class UserDirs:
    """Where settings, models and caches go for this user."""

    config: Path
    data: Path
    cache: Path
    portable: bool

    @property
    def models(self) -> Path:
        """The default folder for downloaded and imported models."""
        return self.data / "models"

    @property
    def settings_file(self) -> Path:
        """The TOML file that holds preferences (never code)."""
        return self.config / "settings.toml"

    @property
    def manifest_file(self) -> Path:
        """The record of installed models (ids, paths, hashes)."""
        return self.data / "models.json"


def user_dirs() -> UserDirs:
    """Resolve the user dirs now; `ENCLAVE_HOME` wins over the platform defaults."""
    home = os.environ.get(HOME_ENV, "").strip()
    cache = os.environ.get(CACHE_ENV, "").strip()
    beside = portable_root()
    if home or beside is not None:
        root = Path(home).expanduser().resolve() if home else beside
        assert root is not None
        return UserDirs(
            config=root / "config",
            data=root / "data",
            cache=Path(cache).expanduser().resolve() if cache else root / "cache",
            portable=True,
        )
    import platformdirs

    return UserDirs(
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        cache=Path(cache or platformdirs.user_cache_dir(APP_NAME, appauthor=False)).expanduser(),
        portable=False,
    )


def app_folder() -> Path | None:
    """The folder holding the frozen app's executable (None when running from source)."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(sys.executable).resolve().parent


def portable_root() -> Path | None:
    """`data/` beside a frozen app that has a `portable` marker file or a `data/` folder there.

    A USB-stick install keeps settings, models and caches beside the app; without either,
    the platform's folders are used.
    """
    folder = app_folder()
    if folder is None:
        return None
    data = folder / "data"
    if (folder / PORTABLE_MARKER).is_file() or data.is_dir():
        return data
    return None


def bundled_models_dir() -> Path | None:
    """`models/` beside a frozen app: a `.gguf` dropped there is offered like an added folder."""
    folder = app_folder()
    return folder / "models" if folder is not None else None


def _bundle_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    """Icons, theme, tag queries, prompt and skill templates."""
    return _bundle_root() / "resources"


def catalog_file() -> Path:
    """The shipped model catalog (never fetched)."""
    return _bundle_root() / "models" / "catalog.toml"
