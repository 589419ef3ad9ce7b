"""`enclave models recommend` and `list` on this machine, without any model installed."""

from __future__ import annotations

import json

import pytest

from app.cli import run_cli
from app.core.store.catalog import load_catalog


def test_recommend_json_rates_every_catalog_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["models", "recommend", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    catalog = load_catalog()
    assert [m["id"] for m in report["models"]] == [e.id for e in catalog]
    assert {m["rating"] for m in report["models"]} <= {"fits", "tight", "too-big"}
    assert all(m["reason"] for m in report["models"])
    for role in ("agent", "completion"):
        chosen = report[role]
        assert chosen is None or catalog.require(chosen).role == role
    assert report["machine"]["ram_total_bytes"] > 0


def test_recommend_text_names_the_picks(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["models", "recommend"]) == 0
    out = capsys.readouterr().out
    assert "Best agent model:" in out and "Best completion model:" in out


def test_list_json_is_empty_on_a_fresh_install(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["models", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
