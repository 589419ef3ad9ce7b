"""The record of installed models (`models.json` in the user data dir): ids, paths, hashes; never code."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.atomic_file import write_atomic
from app.core.errors import EnclaveError
from app.core.paths import user_dirs

logger = logging.getLogger(__name__)

SCHEMA = 1

# Role names of earlier manifests.
_ROLE_NAMES = {"fim": "completion"}


@dataclass(frozen=True)
class InstalledFile:
    """One file of an installed model."""

    name: str
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class InstalledModel:
    """One installed model: where its files are, what they hashed to, how they got here."""

    id: str
    role: str  # agent | completion | embed | unknown
    files: tuple[InstalledFile, ...]
    source: str  # download | copy | link | move
    verified: bool  # the sha256 matched the catalog's or the Hub's
    architecture: str
    catalog_id: str = ""  # "" for a model the catalog does not know
    repo: str = ""
    revision: str = ""  # the commit the Hub served
    discrepancies: tuple[str, ...] = ()  # catalog facts the GGUF metadata contradicted
    added: str = ""  # ISO date

    @property
    def path(self) -> Path:
        """The file llama.cpp opens (the first part of a split model)."""
        return Path(self.files[0].path)

    @property
    def size(self) -> int:
        """Bytes of all files together."""
        return sum(f.size for f in self.files)

    def present(self) -> bool:
        """Whether every file is still there."""
        return all(Path(f.path).is_file() for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        data = asdict(self)
        data["files"] = [asdict(f) for f in self.files]
        data["discrepancies"] = list(self.discrepancies)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstalledModel:
        """Rebuild from `as_dict` output.

        Raises:
            ValueError: a field is missing or of the wrong type.

        """
        try:
            files = tuple(
                InstalledFile(
                    name=str(f["name"]), path=str(f["path"]), size=int(f["size"]), sha256=str(f["sha256"])
                )
                for f in data["files"]
            )
            if not files:
                raise ValueError("no files")
            return cls(
                id=str(data["id"]),
                role=_ROLE_NAMES.get(str(data.get("role", "unknown")), str(data.get("role", "unknown"))),
                files=files,
                source=str(data.get("source", "copy")),
                verified=bool(data.get("verified", False)),
                architecture=str(data.get("architecture", "")),
                catalog_id=str(data.get("catalog_id", "")),
                repo=str(data.get("repo", "")),
                revision=str(data.get("revision", "")),
                discrepancies=tuple(str(d) for d in data.get("discrepancies", [])),
                added=str(data.get("added", "")),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed manifest entry: {exc}") from None


@dataclass
class Manifest:
    """The installed models, loaded from and saved to one JSON file."""

    path: Path
    models: list[InstalledModel] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> Manifest:
        """Read the manifest; a missing file is empty, a damaged one is set aside and reported."""
        path = path or user_dirs().manifest_file
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            _set_aside(path, type(exc).__name__)
            return cls(path)
        models: list[InstalledModel] = []
        entries = raw.get("models", []) if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            _set_aside(path, "not a manifest")
            return cls(path)
        for item in entries:
            try:
                models.append(InstalledModel.from_dict(item))
            except (ValueError, AttributeError):
                logger.warning("skipping a malformed manifest entry")
        return cls(path, models)

    def save(self) -> None:
        """Write atomically (temp file plus rename).

        Raises:
            EnclaveError: the data folder cannot be written.

        """
        text = json.dumps({"schema": SCHEMA, "models": [m.as_dict() for m in self.models]}, indent=2)
        try:
            write_atomic(self.path, (text + "\n").encode("utf-8"))
        except OSError as exc:
            raise EnclaveError(f"could not save the model list {self.path}: {exc.strerror or exc}") from exc

    def get(self, model_id: str) -> InstalledModel | None:
        """The installed model called `model_id`."""
        wanted = model_id.strip().lower()
        return next((m for m in self.models if m.id == wanted), None)

    def find_sha256(self, sha256: str) -> InstalledModel | None:
        """The installed model one of whose files hashed to `sha256`."""
        return next((m for m in self.models if any(f.sha256 == sha256 for f in m.files)), None)

    def put(self, model: InstalledModel) -> None:
        """Add `model`, replacing any record with the same id."""
        self.models = [m for m in self.models if m.id != model.id] + [model]

    def remove(self, model_id: str) -> InstalledModel | None:
        """Drop the record called `model_id` and return it."""
        found = self.get(model_id)
        if found:
            self.models = [m for m in self.models if m.id != found.id]
        return found

    def mark(self, model_id: str, *, verified: bool) -> None:
        """Set the verified flag of one record."""
        self.models = [replace(m, verified=verified) if m.id == model_id else m for m in self.models]


def _set_aside(path: Path, why: str) -> None:
    backup = path.with_name(path.name + ".damaged")
    logger.warning("model list unreadable (%s); kept as %s and starting empty", why, backup.name)
    try:
        os.replace(path, backup)
    except OSError:
        logger.warning("could not set the damaged model list aside")
