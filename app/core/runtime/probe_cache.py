"""What earlier probes found, so each model is probed once per machine, llama.cpp build and settings.

Two small JSON files in the cache folder, neither holding code:
- `probes.json`: keyed by a digest of (model sha256, llama.cpp build, CPU features, wanted
  settings); the settings that worked and what they turned off.
- `model-hashes.json`: a file's sha256 by its path, size and modification time, so a model
  opened with `--model FILE` is hashed once, not at every start.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.atomic_file import write_atomic
from app.core.cancel import CancelToken
from app.core.paths import user_dirs
from app.core.runtime.load_settings import LoadSettings
from app.core.store.hashing import sha256_of

logger = logging.getLogger(__name__)

SCHEMA = 1
PROBES_FILE = "probes.json"
HASHES_FILE = "model-hashes.json"


@dataclass(frozen=True)
class ProbeRecord:
    """The outcome of probing one model with one wanted set of settings."""

    settings: LoadSettings  # what to load with
    turned_off: tuple[str, ...]
    why: str  # what crashed, for the note shown to the user

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"settings": self.settings.as_dict(), "turned_off": list(self.turned_off), "why": self.why}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProbeRecord:
        """Rebuild from `as_dict` output.

        Raises:
            ValueError: a field is missing or of the wrong type.

        """
        try:
            return cls(
                settings=LoadSettings.from_dict(dict(data["settings"])),
                turned_off=tuple(str(x) for x in data.get("turned_off", [])),
                why=str(data.get("why", "")),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed probe record: {exc}") from None


def probe_key(sha256: str, wanted: LoadSettings) -> str:
    """The cache key: this model, this llama.cpp build, this CPU, these settings."""
    parts = [sha256, build_id(), cpu_id(), json.dumps(wanted.as_dict(), sort_keys=True)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def build_id() -> str:
    """llama-cpp-python's version, what its library was compiled with, and the library file itself."""
    import llama_cpp

    from app.core.runtime.architectures import llama_library

    info = llama_cpp.llama_print_system_info()
    text = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    lib = llama_library()
    stamp = ""
    if lib is not None:
        try:
            st = lib.stat()
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "?"
    return f"{llama_cpp.__version__}|{text}|{stamp}"


@functools.lru_cache(maxsize=1)
def cpu_id() -> str:
    """The CPU model and its feature flags (a different CPU under the same disk gets probed again)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"{platform.machine()}|{platform.processor()}"
    model = flags = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key in ("model name", "Hardware", "CPU part") and not model:
            model = value.strip()
        elif key in ("flags", "Features") and not flags:
            flags = " ".join(sorted(value.split()))
        if model and flags:
            break
    return f"{platform.machine()}|{model}|{flags}"


def load_record(key: str) -> ProbeRecord | None:
    """The remembered outcome for `key`, or None."""
    raw = _read(PROBES_FILE).get(key)
    if not isinstance(raw, dict):
        return None
    try:
        return ProbeRecord.from_dict(raw)
    except ValueError:
        return None


def save_record(key: str, record: ProbeRecord) -> None:
    """Remember `record`; a cache that cannot be written only costs a probe next time."""
    data = _read(PROBES_FILE)
    data[key] = record.as_dict()
    _write(PROBES_FILE, data)


def known_sha256(path: Path) -> str | None:
    """The remembered sha256 of `path` as it is now, or None (never hashes)."""
    try:
        st = path.stat()
        stamp = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    except OSError:
        return None
    found = _read(HASHES_FILE).get(stamp)
    return found if isinstance(found, str) and len(found) == 64 else None


def file_sha256(path: Path, *, cancel: CancelToken | None = None) -> str:
    """The sha256 of `path`, hashed once per (path, size, mtime) and remembered.

    Raises:
        OSError: the file cannot be read.
        Cancelled: `cancel` was set while hashing.

    """
    found = known_sha256(path)
    if found:
        return found
    value = sha256_of(path, cancel=cancel)
    remember_sha256(path, value)
    return value


def remember_sha256(path: Path, sha256: str) -> None:
    """Record a hash computed elsewhere (an import or a download already hashed the file)."""
    try:
        st = path.stat()
    except OSError:
        return
    known = _read(HASHES_FILE)
    # Keep only entries whose file still matches, so the file does not grow without bound.
    known = {k: v for k, v in known.items() if _still_there(k)}
    known[f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"] = sha256
    _write(HASHES_FILE, known)


def _still_there(stamp: str) -> bool:
    path = stamp.rsplit("|", 2)[0]
    try:
        return os.path.isfile(path)
    except (OSError, ValueError):
        return False


def _read(name: str) -> dict[str, Any]:
    path = user_dirs().cache / name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        logger.warning("%s unreadable; starting it afresh", name)
        return {}
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA or not isinstance(raw.get("entries"), dict):
        return {}
    return dict(raw["entries"])


def _write(name: str, entries: dict[str, Any]) -> None:
    path = user_dirs().cache / name
    text = json.dumps({"schema": SCHEMA, "entries": entries}, indent=1, sort_keys=True)
    try:
        write_atomic(path, (text + "\n").encode("utf-8"))
    except OSError as exc:
        logger.warning("could not write %s (%s)", name, exc.strerror or type(exc).__name__)
