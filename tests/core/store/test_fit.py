"""The fit planner rates catalog models with the loader's own KV formula."""

from __future__ import annotations

from dataclasses import replace

from app.core.runtime.context_plan import plan_context
from app.core.runtime.hardware import Hardware
from app.core.store.catalog import load_catalog
from app.core.store.fit import FITS, TIGHT, TOO_BIG, rate_model, recommend

GIB = 2**30
LAPTOP_16 = Hardware(
    total_ram=16 * GIB,
    free_ram=10 * GIB,
    physical_cores=4,
    logical_cores=8,
    gpu_backends=(),
    vram_total=0,
    vram_free=0,
    gpu_name="",
)
PLENTY_DISK = 500 * GIB


def test_context_matches_what_the_loader_would_plan() -> None:
    entry = load_catalog().require("qwen3-4b-instruct-2507")
    fit = rate_model(entry, LAPTOP_16, free_disk=PLENTY_DISK)
    assert fit.rating == FITS
    assert fit.n_ctx == plan_context(entry.shape(), free_bytes=LAPTOP_16.free_ram).n_ctx


def test_a_model_bigger_than_the_machine_is_too_big() -> None:
    entry = load_catalog().require("qwen3-coder-30b-a3b-instruct")
    fit = rate_model(entry, LAPTOP_16, free_disk=PLENTY_DISK)
    assert (fit.rating, fit.n_ctx) == (TOO_BIG, 0)
    assert "do not fit in 16.0 GiB" in fit.reason


def test_a_model_that_fits_only_with_other_programs_closed_is_tight() -> None:
    entry = load_catalog().require("qwen2.5-coder-7b-instruct")
    busy = replace(LAPTOP_16, free_ram=4 * GIB)
    fit = rate_model(entry, busy, free_disk=PLENTY_DISK)
    assert fit.rating == TIGHT and "other programs closed" in fit.reason and fit.n_ctx > 0


def test_too_little_disk_for_the_download_is_tight_but_an_installed_model_is_not() -> None:
    entry = load_catalog().require("qwen3-4b-instruct-2507")
    assert rate_model(entry, LAPTOP_16, free_disk=GIB).rating == TIGHT
    assert "download needs" in rate_model(entry, LAPTOP_16, free_disk=GIB).reason
    assert rate_model(entry, LAPTOP_16, free_disk=GIB, installed=True).rating == FITS


def test_gpu_memory_is_used_when_a_gpu_build_has_room() -> None:
    entry = load_catalog().require("qwen2.5-coder-7b-instruct")
    gpu_box = replace(
        LAPTOP_16, gpu_backends=("cuda",), vram_total=24 * GIB, vram_free=22 * GIB, gpu_name="RTX 4090"
    )
    fit = rate_model(entry, gpu_box, free_disk=PLENTY_DISK)
    assert fit.memory == "RTX 4090" and fit.rating == FITS
    assert fit.n_ctx == plan_context(entry.shape(), free_bytes=22 * GIB).n_ctx
    assert rate_model(entry, gpu_box, free_disk=PLENTY_DISK, gpu="off").memory == "RAM"


def test_recommend_picks_the_best_ranked_model_that_fits() -> None:
    catalog = load_catalog()
    rec = recommend(catalog, LAPTOP_16, free_disk=PLENTY_DISK)
    assert rec.agent is not None and rec.agent.model_id == "qwen3-4b-instruct-2507"
    assert rec.completion is not None and rec.completion.model_id == "qwen2.5-coder-1.5b"
    assert len(rec.fits) == len(catalog)

    big = replace(LAPTOP_16, total_ram=64 * GIB, free_ram=48 * GIB)
    assert recommend(catalog, big, free_disk=PLENTY_DISK).agent.model_id == "qwen3-coder-30b-a3b-instruct"  # type: ignore[union-attr]

    # 24 GiB with most of it free: the 30B model would fit, but its weights would take
    # three quarters of the machine, so the 4B default is recommended.
    workstation_24 = replace(LAPTOP_16, total_ram=24 * GIB, free_ram=22 * GIB)
    rec_24 = recommend(catalog, workstation_24, free_disk=PLENTY_DISK)
    assert rec_24.agent is not None and rec_24.agent.model_id == "qwen3-4b-instruct-2507"
    by_id = {f.model_id: f for f in rec_24.fits}
    assert by_id["qwen3-coder-30b-a3b-instruct"].rating == TIGHT
    assert "over half" in by_id["qwen3-coder-30b-a3b-instruct"].reason

    small = replace(LAPTOP_16, total_ram=8 * GIB, free_ram=3 * GIB)
    rec_small = recommend(catalog, small, free_disk=PLENTY_DISK)
    assert rec_small.agent is not None and rec_small.agent.model_id == "qwen2.5-coder-1.5b-instruct"


def test_nothing_is_recommended_when_nothing_fits() -> None:
    tiny_box = replace(LAPTOP_16, total_ram=GIB, free_ram=GIB // 2)
    rec = recommend(load_catalog(), tiny_box, free_disk=PLENTY_DISK)
    assert rec.agent is None and rec.completion is None
    assert {f.rating for f in rec.fits} == {TOO_BIG}


def test_the_completion_model_is_chosen_for_the_memory_the_agent_leaves() -> None:
    catalog = load_catalog()
    # Alone, the 1.5B completion model fits this machine; beside the 4B agent only the 0.5B does.
    snug = replace(LAPTOP_16, free_ram=7 * GIB)
    alone = {f.model_id: f for f in recommend(catalog, snug, free_disk=PLENTY_DISK).fits}
    assert alone["qwen2.5-coder-1.5b"].rating == FITS
    rec = recommend(catalog, snug, free_disk=PLENTY_DISK)
    assert rec.agent is not None and rec.agent.model_id == "qwen3-4b-instruct-2507"
    assert rec.completion is not None and rec.completion.model_id == "qwen2.5-coder-0.5b"
    assert "beside qwen3-4b-instruct-2507" in rec.note


def test_a_small_machine_gets_a_completion_model_alone() -> None:
    small = replace(LAPTOP_16, total_ram=int(1.5 * GIB), free_ram=int(1.4 * GIB))
    rec = recommend(load_catalog(), small, free_disk=PLENTY_DISK)
    assert rec.agent is None
    assert rec.completion is not None and rec.completion.model_id == "qwen2.5-coder-0.5b"
    assert "alone" in rec.note
