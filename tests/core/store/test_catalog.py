"""The shipped catalog loads, holds the models the design names, and refuses malformed entries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.errors import EnclaveError
from app.core.store.catalog import load_catalog

REQUIRED = {
    "qwen3-4b-instruct-2507": "agent",
    "qwen2.5-coder-1.5b-instruct": "agent",
    "qwen2.5-coder-7b-instruct": "agent",
    "qwen3-coder-30b-a3b-instruct": "agent",
    "qwen2.5-coder-0.5b": "completion",
    "qwen2.5-coder-1.5b": "completion",
}
CHECKABLE = {
    "repo", "revision", "files", "files.name", "files.size", "files.sha256", "license", "parameters",
    "architecture", "n_layers", "n_kv_heads", "key_length", "value_length", "context_length",
}  # fmt: skip


def test_shipped_catalog_has_the_required_models() -> None:
    catalog = load_catalog()
    assert {e.id: e.role for e in catalog if e.id in REQUIRED} == REQUIRED
    defaults = [e.id for e in catalog if e.default]
    assert defaults == ["qwen3-4b-instruct-2507"]


def test_every_entry_is_complete_and_marks_what_is_unverified() -> None:
    for entry in load_catalog():
        assert entry.repo.count("/") == 1 and entry.revision
        assert entry.files and all(f.name.endswith(".gguf") and f.size > 0 for f in entry.files)
        assert all(f.sha256 == "" or re.fullmatch(r"[0-9a-f]{64}", f.sha256) for f in entry.files)
        assert set(entry.unverified) <= CHECKABLE, entry.id
        # Nothing can be checked against the Hub from where the catalog is written.
        assert "files" in entry.unverified or "files.size" in entry.unverified


def test_catalog_facts_feed_the_kv_formula() -> None:
    catalog = load_catalog()
    assert catalog.require("qwen3-4b-instruct-2507").shape().kv_bytes_per_token == 144 * 1024
    assert catalog.require("qwen2.5-coder-1.5b-instruct").shape().kv_bytes_per_token == 28 * 1024


def test_lookup_by_id_sha_and_name() -> None:
    catalog = load_catalog()
    entry = catalog.require("qwen3-4b-instruct-2507")
    assert catalog.match_sha256(entry.files[0].sha256) == (entry, entry.files[0])
    assert catalog.match_name(entry.files[0].name.upper()) == (entry, entry.files[0])
    assert catalog.match_sha256("") is None
    with pytest.raises(EnclaveError, match="not in the model catalog"):
        catalog.require("gpt-5")


GOOD = """
[[model]]
id = "m"
name = "M"
role = "agent"
repo = "org/m"
revision = "main"
quantization = "Q4_K_M"
parameters = 1
license = "mit"
architecture = "qwen2"
n_layers = 2
n_kv_heads = 2
key_length = 16
value_length = 16
context_length = 4096
files = [{ name = "m.gguf", size = 10, sha256 = "" }]
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('role = "agent"', 'role = "chatbot"'), "role"),
        (('"m.gguf"', '"../m.gguf"'), "plain .gguf file name"),
        (('sha256 = ""', 'sha256 = "xyz"'), "malformed sha256"),
        (("n_layers = 2", "n_layers = 0"), "positive"),
        (("n_layers = 2", 'n_layers = "2"'), "'n_layers' must be a int"),
        (('files = [{ name = "m.gguf", size = 10, sha256 = "" }]', "files = []"), "at least one file"),
    ],
)
def test_malformed_entries_are_refused(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(EnclaveError, match=message):
        load_catalog(path)


def test_good_entry_loads_and_duplicates_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(GOOD)
    assert [e.id for e in load_catalog(path)] == ["m"]
    path.write_text(GOOD + GOOD)
    with pytest.raises(EnclaveError, match="appears twice"):
        load_catalog(path)
    with pytest.raises(EnclaveError, match="missing"):
        load_catalog(tmp_path / "absent.toml")
