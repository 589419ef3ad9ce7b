"""The frozen bundle (packaging/build.sh) is the real app: self-test, CLI, window, baseline CPU code.

These run when `dist/Enclave/enclave` exists (CI builds it first and sets
ENCLAVE_FROZEN_REQUIRED=1, which turns a missing bundle into a failure).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "dist" / "Enclave"
EXE = BUNDLE / "enclave"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def frozen() -> Path:
    if not EXE.is_file():
        if os.environ.get("ENCLAVE_FROZEN_REQUIRED") == "1":
            pytest.fail("dist/Enclave/enclave is missing: packaging/build.sh failed or did not run")
        pytest.skip("no frozen bundle here: build it with `bash packaging/build.sh`")
    return EXE


def run(
    exe: Path, *args: str, home: Path, timeout: int = 300, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ENCLAVE_HOME": str(home), **kwargs.pop("env", {})}  # type: ignore[dict-item]
    env.pop("ENCLAVE_CACHE", None)
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def test_the_frozen_self_test_passes_under_strace_with_no_socket(frozen: Path, tmp_path: Path) -> None:
    strace = shutil.which("strace")
    assert strace is not None, "strace is missing: tests/run.sh installs it"
    trace = tmp_path / "trace.txt"
    done = subprocess.run(
        [strace, "-f", "-qq", "-e", "trace=socket,socketpair,connect,execve", "-o", str(trace), str(frozen), "--self-test"],
        capture_output=True, text=True, timeout=300, check=False, env={**os.environ, "ENCLAVE_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0 and report["ok"] and report["frozen"], report
    lines = trace.read_text().splitlines()
    assert [line for line in lines if "socket(" in line or "connect(" in line] == []
    assert sum("execve(" in line for line in lines) >= 2  # the app and its probe child, both traced


def test_the_bundle_s_llama_cpp_is_built_for_the_baseline_not_this_cpu(frozen: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(REPO / "packaging" / "check_baseline.sh"), str(BUNDLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    report = json.loads(run(frozen, "doctor", "--json", home=tmp_path).stdout)
    features = report["cpu_features"].split()
    assert "AVX2" in features and "FMA" in features
    assert not {"AVX512", "AMX_INT8"} & set(features)  # whatever this CPU has


def test_the_frozen_cli_indexes_chats_and_imports(frozen: Path, tmp_path: Path, tiny_qwen2: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    home = tmp_path / "home"
    index = run(frozen, "index", str(project), "--json", home=home)
    assert index.returncode == 0, index.stderr
    assert json.loads(index.stdout)["files_parsed"] == 1
    chat = run(frozen, "chat", "hi", "--model", str(tiny_qwen2), "--max-tokens", "4", "--json", home=home)
    assert chat.returncode == 0, chat.stderr
    assert json.loads(chat.stdout)["completion_tokens"] >= 1
    imported = run(frozen, "models", "import", str(tiny_qwen2), "--link", home=home)
    assert imported.returncode == 0, imported.stderr
    listed = json.loads(run(frozen, "models", "list", "--json", home=home).stdout)
    assert [m["source"] for m in listed] == ["link"]
    script = tmp_path / "reply.jsonl"
    script.write_text(json.dumps("calc.py adds numbers") + "\n", encoding="utf-8")
    ask = run(frozen, "ask", str(project), "what does calc.py do?", "--model", f"script:{script}", home=home)
    assert ask.returncode == 0 and "calc.py adds numbers" in ask.stdout, ask.stderr


def test_the_frozen_window_opens_a_project_and_answers(
    frozen: Path, tmp_path: Path, xvfb_display: str, demo_model: Path
) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "retry.py").write_text("def with_retry(fn, attempts=3):\n    return fn()\n", encoding="utf-8")
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.toml").write_text(f'model = "{demo_model}"\n', encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "frozen-main-window.png"
    shot.unlink(missing_ok=True)
    done = run(
        frozen, str(project), "--screenshot", str(shot), "--ask", "where is the retry logic?", "--ask-timeout", "60",
        home=home, timeout=300, env={"DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["saved"] and summary["asked"] and summary["answer_chars"] > 0
    assert summary["index"].startswith("Indexed 1 file")
    assert shot.stat().st_size > 10_000
