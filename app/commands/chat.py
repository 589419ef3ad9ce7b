"""`enclave chat`: one prompt through the local model, streamed to the terminal."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.arguments import add_ctx_option, non_negative_float, positive_int, prompt_text


def register(subparsers: Any) -> None:
    """Add the `chat` subcommand."""
    p = subparsers.add_parser("chat", help="ask the local model one question (no project context)")
    p.add_argument("prompt", type=prompt_text, help="what to ask")
    p.add_argument(
        "--model",
        metavar="ID|PATH",
        help="an installed model id or a .gguf file (default: your chosen model)",
    )
    p.add_argument(
        "--max-tokens", type=positive_int, default=512, metavar="N", help="stop after N tokens (default 512)"
    )
    p.add_argument(
        "--endpoint", metavar="NAME", help="ask a configured endpoint instead (see `enclave endpoint`)"
    )
    add_ctx_option(p)
    p.add_argument("--system", default="", help="a system prompt")
    p.add_argument(
        "--temperature", type=non_negative_float, default=None, metavar="T", help="0 for greedy decoding"
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object at the end instead of streaming"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the model, stream the answer, report the numbers."""
    from app.commands.interrupts import ctrl_c_cancels
    from app.commands.model_loading import load_cli_model
    from app.commands.output import emit_json, say, warn
    from app.core.cancel import CancelToken
    from app.core.errors import EnclaveError
    from app.core.runtime.chat_template import Message
    from app.core.runtime.generation import GenerationDone, Sampling, TextDelta

    if args.max_tokens < 1:
        raise EnclaveError("--max-tokens must be at least 1")
    cancel = CancelToken()
    model = load_cli_model("chat", spec=args.model, endpoint=args.endpoint, n_ctx=args.ctx, cancel=cancel)
    messages: list[Message] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": args.prompt})
    sampling = Sampling(max_tokens=args.max_tokens)
    if args.temperature is not None:
        sampling = (
            Sampling.greedy(max_tokens=args.max_tokens)
            if args.temperature <= 0
            else Sampling(temperature=args.temperature, max_tokens=args.max_tokens)
        )
    done: GenerationDone | None = None
    try:
        with ctrl_c_cancels(cancel):
            for item in model.chat(messages, sampling=sampling, cancel=cancel):
                if isinstance(item, TextDelta):
                    if not args.json:
                        say(item.text, end="")
                elif isinstance(item, GenerationDone):
                    done = item
    finally:
        model.close()
    assert done is not None
    s = done.stats
    if args.json:
        emit_json(
            {
                "text": done.text,
                "finish_reason": done.finish_reason,
                "prompt_tokens": s.prompt_tokens,
                "cached_tokens": s.cached_tokens,
                "completion_tokens": s.completion_tokens,
                "ttft_s": round(s.ttft_s, 4),
                "tokens_per_s": round(s.tokens_per_s, 2),
                "model": model.info.name,
                "backend": model.info.backend,
                "n_ctx": model.info.n_ctx,
            }
        )
    else:
        say()
        warn(
            f"[{model.info.name} on {model.info.backend}: {s.completion_tokens} tokens, "
            f"{s.tokens_per_s:.1f} tok/s, first token {s.ttft_s:.2f}s"
            + (", stopped" if done.finish_reason == "cancelled" else "")
            + "]"
        )
    return 130 if done.finish_reason == "cancelled" else 0
