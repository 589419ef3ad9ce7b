"""The code-free start of a prompt (system prompt, tool schemas) kept across launches, only where loading pays."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.runtime import saved_prefix
from app.core.runtime.generation import GenerationDone, Sampling
from app.core.runtime.local_model import LocalModel

SYSTEM = {"role": "system", "content": "You are Enclave, a careful coding assistant. " * 30}
PROJECT = {"role": "user", "content": "Project map:\nsecret_module.py\n  def launch_codes()\n"}
QUESTION = {"role": "user", "content": "What is in the project?"}


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENCLAVE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def measured_as(monkeypatch: pytest.MonkeyPatch, *, eval_s: float) -> None:
    """Whether saving pays is measured: here reading the tokens is taken to have cost `eval_s`."""
    real_save = saved_prefix.save_if_it_pays
    monkeypatch.setattr(
        saved_prefix,
        "save_if_it_pays",
        lambda llm, tokens, *, key, **_kw: real_save(llm, tokens, key=key, eval_s=eval_s),
    )


def load(path: Path) -> LocalModel:
    return LocalModel.load(path, n_ctx=8192, gpu="off")


def answer(model: LocalModel) -> tuple[int, ...]:
    for item in model.chat(
        [SYSTEM, PROJECT, QUESTION], sampling=Sampling.greedy(max_tokens=12), cancel=CancelToken()
    ):
        if isinstance(item, GenerationDone):
            return item.tokens
    raise AssertionError("no reply")


def test_a_launch_loads_the_saved_start_and_answers_exactly_as_if_it_had_read_it(
    tiny_qwen2: Path, monkeypatch: pytest.MonkeyPatch, own_cache: Path
) -> None:
    measured_as(monkeypatch, eval_s=1e9)  # made to pay, to check what loading gives
    first = load(tiny_qwen2)
    try:
        read_all = first.prefill([SYSTEM, PROJECT], code_free=1, cancel=CancelToken())
        expected = answer(first)
    finally:
        first.close()
    saved = list((own_cache / saved_prefix.STATE_DIR).glob("*.kv"))
    assert len(saved) == 1
    assert b"secret_module" not in saved[0].read_bytes() and b"launch_codes" not in saved[0].read_bytes()
    again = load(tiny_qwen2)  # the next launch
    try:
        read_now = again.prefill([SYSTEM, PROJECT], code_free=1, cancel=CancelToken())
        assert 0 < read_now < read_all // 2  # the system part came from the saved state
        assert answer(again) == expected  # the loaded KV is the same as a freshly read one
    finally:
        again.close()


def test_where_loading_is_not_faster_nothing_is_kept(
    tiny_qwen2: Path, monkeypatch: pytest.MonkeyPatch, own_cache: Path
) -> None:
    measured_as(monkeypatch, eval_s=0.0)  # nothing loads faster than that
    model = load(tiny_qwen2)
    try:
        model.prefill([SYSTEM, PROJECT], code_free=1, cancel=CancelToken())
    finally:
        model.close()
    folder = own_cache / saved_prefix.STATE_DIR
    assert list(folder.glob("*.kv")) == []
    assert "recompute" in (folder / "decisions.json").read_text()


def test_forget_everything_removes_the_saved_states(tiny_qwen2: Path, own_cache: Path) -> None:
    from app.core.paths import user_dirs
    from app.core.privacy.forget import forget_everything

    folder = own_cache / saved_prefix.STATE_DIR
    folder.mkdir(parents=True)
    (folder / "x.kv").write_bytes(b"state")
    forget_everything(user_dirs())
    assert not folder.exists()
