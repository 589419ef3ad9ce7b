"""Bad model files get one clear line, never a crash, a hang or a traceback."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import ModelFileError
from app.core.runtime.validate import validate_model
from tests.support.tiny_gguf import write_tiny_qwen


def _truncate(src: Path, dst: Path, fraction: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


def make_bad_file(kind: str, tmp: Path, good: Path) -> Path:
    path = tmp / f"{kind}.gguf"
    if kind == "missing":
        return path
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated-data":
        _truncate(good, path, 0.9)
    elif kind == "truncated-header":
        _truncate(good, path, 0.002)
    elif kind == "random-bytes":
        path.write_bytes(os.urandom(64 * 1024))
    elif kind == "random-after-magic":
        path.write_bytes(b"GGUF" + struct.pack("<I", 3) + os.urandom(64 * 1024))
    elif kind == "wrong-magic":
        path.write_bytes(b"GGML" + good.read_bytes()[4:])
    elif kind == "plain-text":
        path.write_text("This is a README, not a model.\n" * 100)
    elif kind == "old-version":
        path.write_bytes(b"GGUF" + struct.pack("<I", 1) + good.read_bytes()[8:])
    elif kind == "unknown-arch":
        write_tiny_qwen(path, arch="qwen2")
        data = path.read_bytes().replace(b"qwen2", b"zzzz9")  # the arch name and its keys
        path.write_bytes(data)
    elif kind == "folder":
        path.mkdir()
    return path


EXPECTED = {
    "missing": "no such model file",
    "empty": "empty",
    "truncated-data": "truncated",
    "truncated-header": "truncated",
    "random-bytes": "not a GGUF",
    "random-after-magic": "",
    "wrong-magic": "not a GGUF model file (starts with 'GGML')",
    "plain-text": "not a GGUF",
    "old-version": "version 1 is not supported",
    "unknown-arch": "architecture 'zzzz9' is not supported",
    "folder": "folder",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_bad_file_gives_one_clear_line(kind: str, tmp_path: Path, tiny_qwen2: Path) -> None:
    path = make_bad_file(kind, tmp_path, tiny_qwen2)
    with pytest.raises(ModelFileError) as caught:
        validate_model(path)
    message = str(caught.value)
    assert "\n" not in message
    assert EXPECTED[kind] in message
    assert path.name in message


def test_good_models_pass(tiny_qwen2: Path, tiny_qwen3: Path, demo_model: Path) -> None:
    qwen2 = validate_model(tiny_qwen2)
    assert qwen2.architecture == "qwen2"
    assert qwen2.chat_template and "<tool_call>" in qwen2.chat_template
    assert validate_model(tiny_qwen3).arch_value("attention.key_length") == 16
    demo = validate_model(demo_model)
    assert demo.architecture == "llama"
    assert demo.n_ctx_train == 8192
    assert demo.tensor_bytes > 50 * 2**20


def test_every_truncation_point_is_caught(tmp_path: Path, tiny_qwen2: Path) -> None:
    data = tiny_qwen2.read_bytes()
    cut = tmp_path / "cut.gguf"
    for end in range(0, len(data), max(1, len(data) // 97)):
        cut.write_bytes(data[:end])
        with pytest.raises(ModelFileError):
            validate_model(cut)


@pytest.mark.parametrize("kind", ["truncated-data", "random-after-magic", "unknown-arch", "plain-text"])
def test_cli_reports_bad_model_without_traceback(kind: str, tmp_path: Path, tiny_qwen2: Path) -> None:
    path = make_bad_file(kind, tmp_path, tiny_qwen2)
    proc = subprocess.run(
        [sys.executable, "-m", "app", "chat", "--model", str(path), "hello"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("enclave: ")
    assert "Traceback" not in proc.stderr


def test_file_that_would_abort_llama_cpp_is_refused_in_python(tmp_path: Path) -> None:
    from tests.support.model_files import write_crashing_tiny

    path = write_crashing_tiny(tmp_path / "crash.gguf")
    with pytest.raises(ModelFileError, match="rope dimension 15 differs from the head size 16"):
        validate_model(path)


def test_later_shards_of_a_split_model_parse(tmp_path: Path) -> None:
    from app.core.runtime.gguf_file import read_gguf
    from tests.support.model_files import write_split_tiny

    first, second = write_split_tiny(tmp_path)
    assert validate_model(first).architecture == "qwen2"
    assert read_gguf(second).metadata["split.no"] == 1
