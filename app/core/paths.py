"""The one place that resolves where Enclave's files live.

By default the platform's user dirs (via platformdirs). The environment variable
`ENCLAVE_HOME` replaces all of them with one folder: portable installs and tests use it;
`ENCLAVE_CACHE` moves the cache folder alone (the test suite shares one across tests).
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
    if home:
        root = Path(home).expanduser().resolve()
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
