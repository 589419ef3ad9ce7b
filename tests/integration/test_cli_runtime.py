"""The CLI as a user drives it: doctor, chat, and errors as one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ENV_NO_DEMO = "ENCLAVE_TEST_HIDE_DEMO"


def enclave(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def test_doctor_json_reports_runtime_facts() -> None:
    proc = enclave("doctor", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    for key in ("python", "llama_cpp", "backend", "backend_reason", "gpu_offload_supported", "ram_total_bytes",
                "models", "network_guard", "ledger"):  # fmt: skip
        assert key in report
    assert report["backend"] in {"cpu", "cuda", "metal", "vulkan", "rocm"}
    assert report["user_dirs"]["portable"] is True
    # Whether `run` commands are confined, and why not when they are not.
    sandbox = report["sandbox"]
    assert sandbox["works"] is (sandbox["problem"] is None) is (sandbox["bubblewrap"] is not None)


def test_chat_json_with_demo_model(demo_model: Path) -> None:
    proc = enclave(
        "chat",
        "--model",
        str(demo_model),
        "What is 2+2?",
        "--max-tokens",
        "8",
        "--temperature",
        "0",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) >= {
        "text",
        "prompt_tokens",
        "cached_tokens",
        "completion_tokens",
        "ttft_s",
        "tokens_per_s",
    }
    assert 0 < out["completion_tokens"] <= 8
    assert out["text"].strip()
    assert out["prompt_tokens"] > 5


def test_chat_streams_text_to_stdout(tiny_qwen3: Path) -> None:
    proc = enclave("chat", "--model", str(tiny_qwen3), "hello", "--max-tokens", "5")
    assert proc.returncode == 0, proc.stderr
    assert "tok/s" in proc.stderr


def test_python_m_app_and_console_script_agree() -> None:
    exe = Path(sys.executable).with_name("enclave")
    script = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    module = enclave("--version")
    assert script.returncode == module.returncode == 0
    assert script.stdout == module.stdout and script.stdout.startswith("enclave ")


def test_bad_arguments_are_one_line(tmp_path: Path) -> None:
    proc = enclave("chat", "--model", str(tmp_path / "nope.gguf"), "hi")
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"enclave: {tmp_path / 'nope.gguf'}: no such model file or installed model"
    proc = enclave("chat", "hi", "--max-tokens", "0")
    # argparse refuses it before any model loads (tests/test_cli_arguments.py has the rest).
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "argument --max-tokens: must be at least 1" in proc.stderr
