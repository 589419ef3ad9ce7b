"""The shipped model catalog (`models/catalog.toml`): which models Enclave knows and their facts."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import EnclaveError
from app.core.paths import catalog_file
from app.core.runtime.context_plan import ModelShape

ROLES = ("agent", "completion", "embed")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_FACTS = ("n_layers", "n_kv_heads", "key_length", "value_length", "context_length")


@dataclass(frozen=True)
class CatalogFile:
    """One file of a model (one part of a split GGUF)."""

    name: str
    size: int  # bytes; approximate while "files.size" is unverified, 0 when unknown
    sha256: str  # lowercase hex, "" when unknown


@dataclass(frozen=True)
class CatalogEntry:
    """One model Enclave can download, with the facts the fit planner needs."""

    id: str
    name: str
    role: str
    rank: int
    repo: str
    revision: str
    quantization: str
    parameters: float
    license: str
    architecture: str
    n_layers: int
    n_kv_heads: int
    key_length: int
    value_length: int
    context_length: int
    files: tuple[CatalogFile, ...]
    unverified: tuple[str, ...] = ()
    default: bool = False

    @property
    def size(self) -> int:
        """Bytes of all files together."""
        return sum(f.size for f in self.files)

    @property
    def verified(self) -> bool:
        """True when every field was checked against the Hub and the file."""
        return not self.unverified

    def shape(self) -> ModelShape:
        """The KV-formula inputs, with the files' size standing in for the weights."""
        return ModelShape(
            n_layers=self.n_layers,
            n_kv_heads=self.n_kv_heads,
            key_length=self.key_length,
            value_length=self.value_length,
            n_ctx_train=self.context_length,
            weights_bytes=self.size,
        )

    def facts(self) -> dict[str, Any]:
        """The GGUF facts to compare with a file's metadata."""
        return {"architecture": self.architecture, **{k: getattr(self, k) for k in _FACTS}}


class Catalog:
    """The entries of one catalog file, looked up by id or by a file's sha256."""

    def __init__(self, entries: tuple[CatalogEntry, ...]) -> None:
        self.entries = entries
        self._by_id = {e.id: e for e in entries}

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, model_id: str) -> CatalogEntry | None:
        """The entry called `model_id`, or None."""
        return self._by_id.get(model_id.strip().lower())

    def require(self, model_id: str) -> CatalogEntry:
        """The entry called `model_id`.

        Raises:
            EnclaveError: no such id (the message lists the known ones).

        """
        entry = self.get(model_id)
        if entry is None:
            known = ", ".join(e.id for e in self.entries)
            raise EnclaveError(f"{model_id!r} is not in the model catalog (known: {known})")
        return entry

    def by_role(self, role: str) -> list[CatalogEntry]:
        """Entries of one role, best rank first."""
        return sorted((e for e in self.entries if e.role == role), key=lambda e: e.rank)

    def match_sha256(self, sha256: str) -> tuple[CatalogEntry, CatalogFile] | None:
        """The entry and file whose pinned sha256 is `sha256`."""
        for entry in self.entries:
            for f in entry.files:
                if f.sha256 and f.sha256 == sha256.lower():
                    return entry, f
        return None

    def match_name(self, file_name: str) -> tuple[CatalogEntry, CatalogFile] | None:
        """The entry and file with this file name (case-insensitive)."""
        lowered = file_name.lower()
        for entry in self.entries:
            for f in entry.files:
                if f.name.lower() == lowered:
                    return entry, f
        return None


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and check the catalog (the shipped one unless `path` is given).

    Raises:
        EnclaveError: the file is missing or an entry is malformed (names the entry and field).

    """
    path = path or catalog_file()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EnclaveError(f"the model catalog is missing ({path}); reinstall Enclave") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EnclaveError(f"the model catalog {path.name} is unreadable: {exc}") from None
    models = raw.get("model", [])
    if not isinstance(models, list):
        raise EnclaveError(f"{path.name}: [[model]] entries expected")
    entries = tuple(_entry(item, index) for index, item in enumerate(models))
    ids = [e.id for e in entries]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise EnclaveError(f"{path.name}: model id {duplicate!r} appears twice")
    return Catalog(entries)


def _entry(item: Any, index: int) -> CatalogEntry:
    if not isinstance(item, dict):
        raise EnclaveError(f"catalog entry {index + 1} is not a table")
    label = str(item.get("id", f"#{index + 1}"))

    def need(key: str, kind: type) -> Any:
        value = item.get(key)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise EnclaveError(f"catalog entry {label}: {key!r} must be a {kind.__name__}")
        return value

    model_id = need("id", str)
    if not _ID.fullmatch(model_id):
        raise EnclaveError(f"catalog entry {label}: id must be lowercase letters, digits, '.', '_' or '-'")
    role = need("role", str)
    if role not in ROLES:
        raise EnclaveError(f"catalog entry {label}: role {role!r} is not one of {', '.join(ROLES)}")
    files_raw = item.get("files")
    if not isinstance(files_raw, list) or not files_raw:
        raise EnclaveError(f"catalog entry {label}: 'files' must list at least one file")
    files = tuple(_file(f, label) for f in files_raw)
    unverified = item.get("unverified", [])
    if not isinstance(unverified, list) or not all(isinstance(u, str) for u in unverified):
        raise EnclaveError(f"catalog entry {label}: 'unverified' must be a list of field names")
    facts = {k: need(k, int) for k in _FACTS}
    if any(v <= 0 for v in facts.values()):
        raise EnclaveError(f"catalog entry {label}: GGUF facts must be positive")
    return CatalogEntry(
        id=model_id,
        name=need("name", str),
        role=role,
        rank=int(item.get("rank", 99)),
        repo=need("repo", str),
        revision=need("revision", str),
        quantization=need("quantization", str),
        parameters=need("parameters", float),
        license=need("license", str),
        architecture=need("architecture", str),
        files=files,
        unverified=tuple(unverified),
        default=bool(item.get("default", False)),
        **facts,
    )


def _file(raw: Any, label: str) -> CatalogFile:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise EnclaveError(f"catalog entry {label}: every file needs a name")
    name = raw["name"]
    if "/" in name or "\\" in name or name.startswith(".") or not name.lower().endswith(".gguf"):
        raise EnclaveError(f"catalog entry {label}: file {name!r} must be a plain .gguf file name")
    size = raw.get("size", 0)
    sha = str(raw.get("sha256", "")).lower()
    if not isinstance(size, int) or size < 0:
        raise EnclaveError(f"catalog entry {label}: file {name} has an invalid size")
    if sha and not _SHA256.fullmatch(sha):
        raise EnclaveError(f"catalog entry {label}: file {name} has a malformed sha256")
    return CatalogFile(name=name, size=size, sha256=sha)
