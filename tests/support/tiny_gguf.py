"""Write tiny random-weight `qwen2` / `qwen3` GGUF models with a real Qwen chat template.

They load and generate in real llama.cpp in milliseconds. The vocabulary is byte-level BPE
(GPT-2 style, Qwen's pre-tokenizer) plus Qwen's special tokens, typed as in Qwen's own GGUFs:
`<|im_start|>`/`<|im_end|>` are control tokens, `<tool_call>` and friends user-defined.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

TEMPLATES = Path(__file__).parent / "templates"
CONTROL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
USER_DEFINED = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<think>", "</think>"]
# Qwen2.5-Coder's fill-in-the-middle tokens (user-defined in its GGUFs).
FIM = ["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"]
MERGES = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("o", "n")]
N_EMBD, N_HEAD, N_KV_HEAD, N_FF, N_LAYER, N_CTX = 64, 4, 2, 128, 2, 4096


def byte_symbols() -> list[str]:
    """The 256 printable stand-ins byte-level BPE uses for raw bytes."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    symbols = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in symbols:
            symbols[b] = chr(256 + extra)
            extra += 1
    return [symbols[b] for b in range(256)]


def vocabulary(*, fim: bool = False) -> tuple[list[str], list[int]]:
    """Tokens and their GGUF token types (1 normal, 3 control, 4 user-defined)."""
    tokens = byte_symbols() + [a + b for a, b in MERGES]
    types = [1] * len(tokens)
    for t in CONTROL:
        tokens.append(t)
        types.append(3)
    for t in USER_DEFINED + (FIM if fim else []):
        tokens.append(t)
        types.append(4)
    return tokens, types


def token_id(text: str, *, fim: bool = False) -> int:
    """The id of a token in the tiny vocabulary."""
    return vocabulary(fim=fim)[0].index(text)


def write_tiny_qwen(
    path: Path,
    *,
    arch: str = "qwen2",
    template: str | None = None,
    seed: int = 0,
    fim: bool = False,
    name: str = "",
) -> Path:
    """Write a tiny model of `arch` (`qwen2` or `qwen3`) to `path` and return it.

    `fim` adds Qwen2.5-Coder's fill-in-the-middle tokens to the vocabulary.
    """
    import gguf

    rng = np.random.default_rng(seed)
    tokens, types = vocabulary(fim=fim)
    n_vocab = len(tokens)
    head_dim = N_EMBD // N_HEAD
    kv_dim = N_KV_HEAD * head_dim
    if template is None:
        template = (TEMPLATES / ("qwen3.jinja" if arch == "qwen3" else "qwen2_5.jinja")).read_text()

    w = gguf.GGUFWriter(str(path), arch=arch)
    w.add_name(name or f"tiny-{arch}")
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_KV_HEAD)
    w.add_rope_freq_base(1_000_000.0)
    w.add_layer_norm_rms_eps(1e-6)
    if arch == "qwen3":
        w.add_key_length(head_dim)
        w.add_value_length(head_dim)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges([f"{a} {b}" for a, b in MERGES])
    w.add_bos_token_id(tokens.index("<|endoftext|>"))
    w.add_eos_token_id(tokens.index("<|im_end|>"))
    w.add_pad_token_id(tokens.index("<|endoftext|>"))
    w.add_add_bos_token(False)  # noqa: FBT003 (gguf-py's writer API)
    w.add_chat_template(template)

    def t(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    w.add_tensor("token_embd.weight", t(n_vocab, N_EMBD))
    w.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    w.add_tensor("output.weight", t(n_vocab, N_EMBD))
    for i in range(N_LAYER):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        w.add_tensor(p + "attn_q.weight", t(N_EMBD, N_EMBD))
        w.add_tensor(p + "attn_k.weight", t(kv_dim, N_EMBD))
        w.add_tensor(p + "attn_v.weight", t(kv_dim, N_EMBD))
        w.add_tensor(p + "attn_output.weight", t(N_EMBD, N_EMBD))
        if arch == "qwen2":
            w.add_tensor(p + "attn_q.bias", t(N_EMBD))
            w.add_tensor(p + "attn_k.bias", t(kv_dim))
            w.add_tensor(p + "attn_v.bias", t(kv_dim))
        else:
            w.add_tensor(p + "attn_q_norm.weight", np.ones(head_dim, dtype=np.float32))
            w.add_tensor(p + "attn_k_norm.weight", np.ones(head_dim, dtype=np.float32))
        w.add_tensor(p + "ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        w.add_tensor(p + "ffn_gate.weight", t(N_FF, N_EMBD))
        w.add_tensor(p + "ffn_up.weight", t(N_FF, N_EMBD))
        w.add_tensor(p + "ffn_down.weight", t(N_EMBD, N_FF))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
