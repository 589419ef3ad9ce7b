"""The FIM prompt's budgets and the repository context, with a character-level stand-in vocabulary."""

from __future__ import annotations

import pytest

from app.core.completion import fim_format
from app.core.completion.fim_format import Chunk, build_prompt, fim_tokens, split_at
from app.core.completion.repo_context import RepoContext
from app.core.errors import EnclaveError

SPECIAL = {
    "fim_pre": 1001,
    "fim_suf": 1002,
    "fim_mid": 1003,
    "fim_pad": 1004,
    "fim_rep": 1005,
    "fim_sep": 1006,
}


class CharVocab:
    """One token per character; the FIM tokens at fixed ids."""

    def __init__(self, special: dict[str, int] = SPECIAL) -> None:
        self.special = special

    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        return [ord(c) % 1000 for c in text]

    def vocab_token(self, name: str) -> int:
        return self.special.get(name, -1)


def count(text: str) -> int:
    return len(text)


def test_the_layout_puts_context_first_then_prefix_suffix_middle() -> None:
    vocab = CharVocab()
    fim = fim_tokens(vocab, name="coder")
    prompt = build_prompt(
        vocab, fim, path="m.py", prefix="ab\ncd", suffix="e", chunks=[Chunk("x.py", "q")], repo="r"
    )
    t = vocab.tokenize
    # The cursor line's start ("cd") goes after the middle marker: typing changes the tail only.
    assert prompt.tokens == [
        1005, *t("r\n"), 1006, *t("x.py\nq\n"), 1006, *t("m.py\n"),
        1001, *t("ab\n"), 1002, *t("e"), 1003, *t("cd"),
    ]  # fmt: skip


def test_typing_on_a_line_changes_only_the_prompt_tail() -> None:
    vocab = CharVocab()
    fim = fim_tokens(vocab)
    text = "def f(x):\n    return x\n\nprint(f(1))\n"
    at = text.index("return x") + len("ret")
    prompts = [
        build_prompt(vocab, fim, path="m.py", prefix=text[:at] + typed, suffix=text[at:]).tokens
        for typed in ("", "u", "ur")
    ]
    assert prompts[1][:-1] == prompts[0] and prompts[2][:-1] == prompts[1]


def test_without_repo_tokens_the_prompt_is_file_level() -> None:
    vocab = CharVocab({k: v for k, v in SPECIAL.items() if k not in ("fim_rep", "fim_sep")})
    fim = fim_tokens(vocab)
    prompt = build_prompt(vocab, fim, path="m.py", prefix="a", suffix="b", chunks=[Chunk("x.py", "q")])
    assert prompt.tokens == [1001, 1002, ord("b"), 1003, ord("a")]
    assert prompt.chunks == ()


def test_a_model_without_fim_tokens_and_plain_qwen3_are_refused() -> None:
    with pytest.raises(EnclaveError, match="no fill-in-the-middle tokens"):
        fim_tokens(CharVocab({}), name="SmolLM2")
    with pytest.raises(EnclaveError, match="plain Qwen3"):
        fim_tokens(CharVocab(), architecture="qwen3", name="Qwen3-4B-Instruct")
    assert fim_tokens(CharVocab(), architecture="qwen3moe", name="Qwen3-Coder-30B-A3B").middle == 1003


def test_context_chunks_beyond_the_budget_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fim_format, "CONTEXT_TOKENS", 30)
    vocab = CharVocab()
    chunks = [Chunk("a.py", "x" * 10), Chunk("b.py", "y" * 40), Chunk("c.py", "z" * 5)]
    prompt = build_prompt(vocab, fim_tokens(vocab), path="m.py", prefix="", suffix="", chunks=chunks)
    assert [c.path for c in prompt.chunks] == ["a.py", "c.py"]


def test_the_prefix_start_stays_put_while_the_cursor_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fim_format, "PREFIX_TOKENS", 400)
    text = "".join(f"line {i:04d}\n" for i in range(300))  # 10 characters a line
    starts = set()
    for line in range(150, 160):
        offset = text.index(f"line {line:04d}")
        prefix, _ = split_at(text, offset, count=count)
        starts.add(prefix.split("\n", 1)[0])
        assert len(prefix) <= 400 + fim_format.START_STEP * 10
    assert len(starts) == 1


def test_the_suffix_is_cut_at_a_line_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fim_format, "SUFFIX_TOKENS", 25)
    text = "head\n" + "".join(f"after {i}\n" for i in range(20))
    _, suffix = split_at(text, 5, count=count)
    assert suffix == "after 0\nafter 1\nafter 2"


class Sym:
    def __init__(self, file: str, name: str, line: int, end_line: int) -> None:
        self.file, self.name, self.line, self.end_line = file, name, line, end_line


def test_context_links_definitions_used_near_the_cursor_and_the_ring() -> None:
    files = {"util.py": "import os\n\ndef parse_config(path):\n    return {}\n", "other.py": "a\nb\nc\nd\n"}
    defs = {"parse_config": [Sym("util.py", "parse_config", 3, 4)]}
    ctx = RepoContext(find_symbol=lambda n: defs.get(n, []), read=files.get)
    ctx.remember("other.py", files["other.py"])
    text = "def main():\n    cfg = parse_config('x')\n    "
    chunks = ctx.chunks("main.py", text, len(text))
    assert chunks[0].path == "util.py" and "def parse_config" in chunks[0].text
    assert chunks[1].path == "other.py"
    # Nearly the same chunk again replaces the old one.
    ctx.remember("other.py", files["other.py"] + "e\n")
    assert [c.path for c in ctx.chunks("main.py", text, len(text))].count("other.py") == 1
