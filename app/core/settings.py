"""Preferences, stored as TOML in the user config dir.

Settings hold preferences only: never code, prompts, file contents or conversations.
Paths to models and recent projects are the only paths kept, and "forget everything"
clears them.
"""

from __future__ import annotations

import dataclasses
import logging
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from app.core.atomic_file import write_atomic
from app.core.errors import EnclaveError

logger = logging.getLogger(__name__)

# Font sizes (points) the editor and chat accept; 0 means the system's own size.
FONT_SIZES = (0, *range(6, 49))


@dataclass
class Settings:
    """User preferences. Unknown keys in the file are ignored; bad values fall back."""

    model: str = ""  # catalog id or a path to a .gguf; empty means "pick the best installed"
    n_ctx: int = 0  # 0: size from free memory; otherwise clamped to what fits
    n_threads: int = 0  # 0: physical cores
    gpu: str = "auto"  # auto | off
    theme: str = "system"  # system | light | dark
    recent_projects: list[str] = field(default_factory=list)
    extra_model_dirs: list[str] = field(default_factory=list)
    window_geometry: str = ""  # base64 of Qt's saveGeometry/saveState; layout only
    # The tabs open when the window last closed (paths in the first recent project, in tab
    # order) and which of them was in front; reopened with that project on the next start.
    open_files: list[str] = field(default_factory=list)
    current_file: int = 0
    # Opt-in OpenAI-compatible endpoints: name, url, model (app/core/remote). Keys live in the
    # OS keyring, never here. Each role takes "" (the local `model`) or "endpoint:NAME".
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    agent_model: str = ""
    chat_model: str = ""
    ca_bundle: str = ""  # a PEM file of extra CAs for endpoints behind a corporate CA
    # Inline completion: the FIM model ("" = the best installed completion model), on or off,
    # and languages it is off for (names as the index gives them: "python", "markdown"...).
    completion_model: str = ""
    completion: bool = True
    completion_off: list[str] = field(default_factory=list)
    # Font sizes in points for the editor and the chat (0: the system's size); Ctrl+= / Ctrl+-
    # change them, and a value outside FONT_SIZES reads as 0.
    editor_font_size: int = 0
    chat_font_size: int = 0

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read `path`; a missing or unreadable file gives defaults, never an error."""
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            logger.warning("settings file unreadable (%s); using defaults", type(exc).__name__)
            return cls()
        settings = cls()
        for f in fields(cls):
            if f.name not in raw:
                continue
            value = raw[f.name]
            default = getattr(settings, f.name)
            if f.name in _TABLE_LISTS:
                if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                    setattr(settings, f.name, [dict(v) for v in value])
            elif isinstance(default, list):
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    setattr(settings, f.name, list(value))
            elif type(value) is type(default):
                setattr(settings, f.name, value)
        for name in ("editor_font_size", "chat_font_size"):
            if getattr(settings, name) not in FONT_SIZES:
                setattr(settings, name, 0)
        return settings

    def save(self, path: Path) -> None:
        """Write atomically (temp file plus rename), so a crash never leaves half a file.

        Raises:
            EnclaveError: the folder cannot be written (full disk, permissions).

        """
        text = _to_toml(dataclasses.asdict(self))
        try:
            write_atomic(path, text.encode("utf-8"))
        except OSError as exc:
            raise EnclaveError(f"Could not save settings to {path}: {exc.strerror or exc}") from exc

    def model_folders(self) -> list[str]:
        """Folders of GGUFs to offer: the user's `extra_model_dirs`, then a frozen app's `models/`."""
        from app.core.paths import bundled_models_dir

        beside = bundled_models_dir()
        extra = [str(beside)] if beside is not None and beside.is_dir() else []
        return [*self.extra_model_dirs, *extra]

    def add_recent_project(self, project: Path, *, limit: int = 10) -> None:
        """Put `project` first in the recent list."""
        entry = str(project)
        self.recent_projects = [entry, *[p for p in self.recent_projects if p != entry]][:limit]

    def forget_everything(self) -> None:
        """Clear every stored path: recent projects and their open tabs, the chosen model, extra model folders."""
        self.recent_projects = []
        self.open_files = []
        self.current_file = 0
        self.extra_model_dirs = []
        self.model = ""
        self.window_geometry = ""


# List fields whose entries are tables (written as inline tables).
_TABLE_LISTS = frozenset({"endpoints"})


def _to_toml(values: dict[str, Any]) -> str:
    lines = []
    for key, value in values.items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"unsupported settings value {type(value).__name__}")


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _toml_value(key)
