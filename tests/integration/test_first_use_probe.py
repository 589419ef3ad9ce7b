"""The first-use probe: a child loads and decodes; a crash makes it retry with safer settings, once per machine.

Crashes are injected in the probe child (`ENCLAVE_PROBE_FAULT`), so the fallback chain is
walked on every machine; on an AMX machine the first step also crashes for real.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, EnclaveError, ModelFileError, ModelLoadError
from app.core.runtime import load_probe, probe_cache
from app.core.runtime.load_probe import safe_settings
from app.core.runtime.load_settings import SMALL_BATCH, LoadSettings, fallbacks, model_params
from app.core.runtime.local_model import LocalModel
from app.core.runtime.probe_child import FAULT_ENV
from tests.support.model_files import write_split_tiny


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder: these tests are about what is (not yet) remembered."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("ENCLAVE_CACHE", str(cache))
    return cache


@pytest.fixture
def model(tiny_qwen2: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(tiny_qwen2, tmp_path / "tiny.gguf"))


def test_the_ladder_goes_extra_buffers_then_gpu_then_batch() -> None:
    steps = fallbacks(LoadSettings(n_gpu_layers=-1, n_batch=512))
    assert [s.turned_off for s in steps] == [
        (),
        ("extra_bufts",),
        ("extra_bufts", "gpu"),
        ("extra_bufts", "gpu", "batch"),
    ]
    assert steps[-1].settings == LoadSettings(n_gpu_layers=0, n_batch=SMALL_BATCH, extra_bufts=False)
    # On the CPU there is no GPU step to take.
    assert [s.turned_off for s in fallbacks(LoadSettings())] == [
        (),
        ("extra_bufts",),
        ("extra_bufts", "batch"),
    ]


def test_a_crash_with_extra_buffers_turns_them_off_and_says_why(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULT_ENV, "extra_bufts")
    seen: list[str] = []
    safe = safe_settings(model, LoadSettings(), progress=seen.append)
    assert safe.turned_off == ("extra_bufts",)
    assert safe.settings == LoadSettings(extra_bufts=False)
    assert "repacking off" in safe.note and "crashed this CPU's llama.cpp build (SIGSEGV)" in safe.note
    assert any("first use" in s for s in seen) and any("try 2" in s for s in seen)


def test_the_chain_walks_on_to_a_smaller_batch(model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_ENV, "extra_bufts,batch")
    safe = safe_settings(model, LoadSettings())
    assert safe.turned_off == ("extra_bufts", "batch")
    assert safe.settings.n_batch == SMALL_BATCH


def test_gpu_offload_is_dropped_before_the_batch(model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_ENV, "extra_bufts,gpu")
    safe = safe_settings(model, LoadSettings(n_gpu_layers=-1))
    assert safe.turned_off == ("extra_bufts", "gpu")
    assert safe.settings.n_gpu_layers == 0 and safe.settings.n_batch == 512


def test_a_model_that_crashes_with_every_setting_is_refused(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULT_ENV, "always")
    with pytest.raises(ModelLoadError, match="crashed with every setting tried"):
        safe_settings(model, LoadSettings())
    monkeypatch.delenv(FAULT_ENV)
    assert safe_settings(model, LoadSettings()).probed_s > 0  # a failure is not remembered


def test_the_outcome_is_remembered_per_model_build_and_cpu(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULT_ENV, "extra_bufts")
    first = safe_settings(model, LoadSettings())
    assert first.probed_s > 0
    children: list[LoadSettings] = []
    real_child = load_probe.run_child

    def counting(path: Path, settings: LoadSettings, **kwargs: object) -> load_probe.ChildOutcome:
        children.append(settings)
        return real_child(path, settings, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load_probe, "run_child", counting)
    again = safe_settings(model, LoadSettings())
    assert children == [] and again.probed_s == 0
    assert (again.settings, again.turned_off, again.note) == (first.settings, first.turned_off, first.note)
    # Another CPU under the same disk is probed afresh.
    monkeypatch.setattr(probe_cache, "cpu_id", lambda: "x86_64|another cpu|avx2")
    safe_settings(model, LoadSettings())
    assert children[0] == LoadSettings()


def test_the_cache_names_no_path_and_the_hash_memo_is_forgotten(
    model: Path, own_cache: Path, enclave_home: Path
) -> None:
    from app.core.paths import user_dirs
    from app.core.privacy.forget import forget_everything

    safe_settings(model, LoadSettings())
    probes = (own_cache / probe_cache.PROBES_FILE).read_text(encoding="utf-8")
    assert str(model) not in probes and "tiny" not in probes
    assert (own_cache / probe_cache.HASHES_FILE).exists()
    forget_everything(user_dirs())
    assert not (own_cache / probe_cache.HASHES_FILE).exists()


def test_local_model_load_uses_the_settings_that_worked(model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_ENV, "extra_bufts")
    loaded = LocalModel.load(model, n_ctx=512, gpu="off")
    try:
        assert loaded.info.turned_off == ("extra_bufts",)
        assert "repacking off" in loaded.info.load_note and loaded.info.probe_s > 0
        assert loaded.tokenize("hello") and loaded.info.n_ctx == 512
    finally:
        loaded.close()
    again = LocalModel.load(model, n_ctx=512, gpu="off")
    try:
        assert again.info.turned_off == ("extra_bufts",) and again.info.probe_s == 0
    finally:
        again.close()


def test_the_switch_reaches_llama_cpp(model: Path) -> None:
    import llama_cpp

    with model_params(extra_bufts=False):
        llm = llama_cpp.Llama(model_path=str(model), n_ctx=256, verbose=False)
    try:
        assert llm.model_params.use_extra_bufts is False
    finally:
        llm.close()
    llm = llama_cpp.Llama(model_path=str(model), n_ctx=256, verbose=False)
    try:
        assert llm.model_params.use_extra_bufts is True  # the wrapper is gone after the load
    finally:
        llm.close()


def test_the_progress_callback_aborts_a_load(model: Path) -> None:
    import llama_cpp

    calls: list[int] = []

    def stop() -> bool:
        calls.append(1)
        return False

    with model_params(extra_bufts=False, keep_going=stop), pytest.raises(ValueError):
        llama_cpp.Llama(model_path=str(model), n_ctx=256, verbose=False)
    assert calls  # llama.cpp asked, and stopped when told


def test_a_cancel_during_the_load_stops_it(model: Path) -> None:
    safe_settings(model, LoadSettings(n_batch=512))  # probed already: the load itself is cancelled
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        LocalModel.load(model, n_ctx=512, gpu="off", cancel=cancel)


def test_a_model_larger_than_memory_is_refused_before_it_is_read(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psutil

    total = psutil.virtual_memory().total
    with model.open("r+b") as fh:
        fh.truncate(total + 2**30)  # sparse: no disk used
    monkeypatch.setattr(
        probe_cache, "file_sha256", lambda *a, **k: pytest.fail("hashed a file too big to run")
    )
    started = time.perf_counter()
    with pytest.raises(EnclaveError, match="more than this machine's"):
        LocalModel.load(model, gpu="off")
    assert time.perf_counter() - started < 10


def test_a_split_model_with_a_missing_part_says_which(tmp_path: Path) -> None:
    parts = write_split_tiny(tmp_path)
    parts[1].unlink()
    with pytest.raises(ModelFileError, match=r"1 of 2 parts are missing \(tiny-split-00002-of-00002.gguf\)"):
        LocalModel.load(parts[0], gpu="off")


def test_chat_with_a_missing_split_part_exits_with_one_line(tmp_path: Path) -> None:
    parts = write_split_tiny(tmp_path)
    parts[1].unlink()
    done = subprocess.run(
        [sys.executable, "-m", "app", "chat", "hi", "--model", str(parts[0])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "parts are missing" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_the_first_use_probe_exits_130_at_once(model: Path) -> None:
    env = {**os.environ, FAULT_ENV: "hang"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "chat", "hi", "--model", str(model)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()  # the probe's progress: it has started
    assert "Checking tiny.gguf" in line
    time.sleep(0.5)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=10)
    assert time.perf_counter() - sent < 1.0
    assert proc.returncode == 130
    assert "Traceback" not in err and "Exception ignored" not in err


def test_doctor_says_what_the_probe_found_for_each_model(
    demo_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.commands.doctor import collect
    from app.core.runtime.load_probe import probe_model

    assert collect()["demo_model_probe"] is None  # not checked here yet
    monkeypatch.setenv(FAULT_ENV, "extra_bufts")
    probe_model(demo_model)
    report = collect()
    assert "repacking off" in report["demo_model_probe"]
    assert report["cpu_features"]  # llama.cpp names the features it uses
