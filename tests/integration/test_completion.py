"""Inline completion on real llama.cpp: the token-exact FIM layout, KV reuse, refusals, the CLI."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import run_cli
from app.core.cancel import CancelToken
from app.core.completion import CompletionEngine, RepoContext
from app.core.completion.fim_format import build_prompt, split_at
from app.core.errors import EnclaveError
from app.core.runtime.local_model import LocalModel
from tests.support.tiny_gguf import token_id, write_tiny_qwen

pytestmark = pytest.mark.integration

SOURCE = "import os\n\n\ndef add(a, b):\n    return a + b\n\n\ndef main():\n    total = \n    print(total)\n"


@pytest.fixture(scope="module")
def fim_model(tiny_fim: Path) -> Iterator[LocalModel]:
    model = LocalModel.load(tiny_fim, n_ctx=4096)
    yield model
    model.close()


def _text_ids(model: LocalModel, text: str) -> list[int]:
    # The tokenizer itself, special tokens off: the reference for every piece of text.
    return list(model._llm.tokenize(text.encode(), add_bos=False, special=False))


def test_the_prompt_is_the_fim_layout_token_for_token(fim_model: LocalModel) -> None:
    def special(text: str) -> int:
        return token_id(text, fim=True)

    helper = "def helper():\n    return 1"
    context = RepoContext(
        find_symbol=lambda name: [_Sym("lib/util.py", 1, 2)] if name == "helper" else [],
        read=lambda rel: helper if rel == "lib/util.py" else None,
    )
    engine = CompletionEngine(fim_model, repo_name="proj", context=context)
    text = "x = helper()\ny = "
    chunks = context.chunks("main.py", text, len(text))
    prompt = build_prompt(
        fim_model, engine.fim, path="main.py", prefix=text, suffix="", chunks=chunks, repo="proj"
    )
    t = lambda s: _text_ids(fim_model, s)  # noqa: E731
    assert prompt.tokens == [
        special("<|repo_name|>"), *t("proj\n"),
        special("<|file_sep|>"), *t(f"lib/util.py\n{helper}\n"),
        special("<|file_sep|>"), *t("main.py\n"),
        special("<|fim_prefix|>"), *t("x = helper()\n"), special("<|fim_suffix|>"), special("<|fim_middle|>"),
        *t("y = "),
    ]  # fmt: skip


def test_fim_markers_inside_a_file_stay_text(fim_model: LocalModel) -> None:
    engine = CompletionEngine(fim_model)
    hostile = "s = '<|fim_middle|><|file_sep|>'\n"
    prompt = build_prompt(fim_model, engine.fim, path="h.py", prefix=hostile, suffix="")
    middle, sep = token_id("<|fim_middle|>", fim=True), token_id("<|file_sep|>", fim=True)
    assert prompt.tokens.count(middle) == 1 and prompt.tokens[-1] == middle
    assert prompt.tokens.count(sep) == 1  # only the current file's own header


def test_after_the_first_request_a_keystroke_reads_only_the_changed_tail(fim_model: LocalModel) -> None:
    engine = CompletionEngine(fim_model, max_tokens=8)
    text = "".join(f"value_{i} = compute({i})\n" for i in range(200)) + SOURCE
    offset = text.index("total = ") + len("total = ")
    first = engine.complete(path="m.py", text=text, offset=offset, cancel=CancelToken())
    assert first.evaluated_tokens == first.prompt_tokens > 500
    typed = text[:offset] + "a" + text[offset:]
    second = engine.complete(path="m.py", text=typed, offset=offset + 1, cancel=CancelToken())
    # The new character (and the cursor line's last token, re-tokenized): not the prefix, and
    # not the suffix and markers behind it either.
    assert 1 <= second.evaluated_tokens <= 3
    assert not second.cached


def test_a_repeated_request_is_served_from_the_cache(fim_model: LocalModel) -> None:
    engine = CompletionEngine(fim_model, max_tokens=8)
    offset = SOURCE.index("total = ") + len("total = ")
    first = engine.complete(path="m.py", text=SOURCE, offset=offset, cancel=CancelToken())
    engine.cache.put("m.py", *_split(engine, SOURCE, offset), "sum([1, 2])")
    again = engine.complete(path="m.py", text=SOURCE, offset=offset, cancel=CancelToken())
    assert again.cached and again.text == "sum([1, 2])"
    typed = SOURCE[:offset] + "su" + SOURCE[offset:]
    ahead = engine.complete(path="m.py", text=typed, offset=offset + 2, cancel=CancelToken())
    assert ahead.cached and ahead.text == "m([1, 2])"
    assert first.prompt_tokens > 0


def test_a_cancelled_request_returns_nothing_at_once(fim_model: LocalModel) -> None:
    engine = CompletionEngine(fim_model)
    cancel = CancelToken()
    cancel.cancel()
    started = time.perf_counter()
    done = engine.complete(path="m.py", text=SOURCE, offset=len(SOURCE) // 2, cancel=cancel)
    assert done.finish == "cancelled" and done.text == ""
    assert time.perf_counter() - started < 1.0


def test_models_without_fim_tokens_are_refused(tiny_qwen2: Path, tmp_path: Path) -> None:
    plain = LocalModel.load(tiny_qwen2, n_ctx=1024)
    try:
        with pytest.raises(EnclaveError, match="no fill-in-the-middle tokens"):
            CompletionEngine(plain)
    finally:
        plain.close()
    qwen3 = LocalModel.load(
        write_tiny_qwen(tmp_path / "q3.gguf", arch="qwen3", fim=True, name="Qwen3-4B"), n_ctx=1024
    )
    try:
        with pytest.raises(EnclaveError, match="plain Qwen3"):
            CompletionEngine(qwen3)
    finally:
        qwen3.close()


def test_the_cli_completes_at_a_line_and_column(
    tiny_fim: Path, tiny_qwen2: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "m.py"
    source.write_text(SOURCE)
    assert run_cli(["complete", str(source), "9", "13", "--model", str(tiny_fim), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["prompt_tokens"] > 10 and report["finish"] in {"stop", "cut", "length", "time"}
    assert isinstance(report["text"], str)
    assert run_cli(["complete", str(source), "9", "13", "--model", str(tiny_qwen2)]) == 1
    assert "no fill-in-the-middle tokens" in capsys.readouterr().err
    assert run_cli(["complete", str(source), "99", "1", "--model", str(tiny_fim)]) == 1
    assert "past its end" in capsys.readouterr().err


class _Sym:
    def __init__(self, file: str, line: int, end_line: int) -> None:
        self.file, self.name, self.line, self.end_line = file, "helper", line, end_line


def _split(engine: CompletionEngine, text: str, offset: int) -> tuple[str, str]:
    return split_at(text, offset, count=engine.model.count_tokens)
