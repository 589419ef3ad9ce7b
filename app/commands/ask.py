"""`enclave ask`: one agent turn over a project, headless (text, or JSON Lines events)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from app.commands.arguments import add_ctx_option, positive_int, prompt_text
from app.commands.index_options import add_index_options, open_index


def register(subparsers: Any) -> None:
    """Add the `ask` subcommand."""
    p = subparsers.add_parser("ask", help="ask the agent about a project (one turn, headless)")
    p.add_argument("path", help="the project folder")
    p.add_argument(
        "prompt", type=prompt_text, help="what to ask; /name runs a skill (e.g. /explain the cache)"
    )
    p.add_argument(
        "--mode",
        choices=("plan", "build"),
        default="plan",
        help="plan: read-only (default); build: may edit and run",
    )
    p.add_argument(
        "--model", metavar="ID|PATH|script:FILE", help="a model, or script:FILE to replay recorded replies"
    )
    p.add_argument("--endpoint", metavar="NAME", help="use a configured endpoint (see `enclave endpoint`)")
    p.add_argument(
        "--yes",
        action="store_true",
        help="grant permission requests and accept edits (rules that deny still deny)",
    )
    p.add_argument("--json", action="store_true", help="print JSON Lines events instead of text")
    p.add_argument(
        "--max-steps",
        type=positive_int,
        default=12,
        metavar="N",
        help="stop after N model steps (default 12)",
    )
    add_ctx_option(p)
    p.add_argument(
        "--no-sandbox", action="store_true", help="run commands without bubblewrap even where it is installed"
    )
    add_index_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the model and the index, run one turn, print its events."""
    from pathlib import Path

    from app.commands.interrupts import ctrl_c_cancels
    from app.commands.output import emit_jsonl, say, warn
    from app.core import services
    from app.core.agent import AgentOptions, Mode, ScriptedModel
    from app.core.agent.events import TurnDone, TurnReason
    from app.core.cancel import CancelToken
    from app.core.errors import EnclaveError

    root = Path(args.path).expanduser()
    if not root.is_dir():
        raise EnclaveError(f"{args.path}: not a folder")
    if args.max_steps < 1:
        raise EnclaveError("--max-steps must be at least 1")
    cancel = CancelToken()
    model: Any
    if args.model and args.model.startswith("script:"):
        model = ScriptedModel.from_file(Path(args.model[len("script:") :]).expanduser())
        close = None
    else:
        from app.commands.model_loading import load_cli_model

        model = load_cli_model(
            "agent", spec=args.model, endpoint=args.endpoint, project=root, n_ctx=args.ctx, cancel=cancel
        )
        close = model.close
    try:
        with ctrl_c_cancels(cancel):
            options = AgentOptions(
                max_steps=args.max_steps, auto_accept=args.yes, sandbox=not args.no_sandbox
            )
            session = services.new_session(root, options=options)
            session.set_index(open_index(args, str(root), cancel=cancel))
            question = session.conversation.ask(args.prompt)
            reply_turn = session.conversation.add("assistant", "", parent=question.id)
            reason = TurnReason.ANSWERED
            for event in session.reply(reply_turn.id, mode=Mode(args.mode))(model, cancel):
                reply = getattr(event, "reply", None)
                answer = ""
                if reply is not None:
                    answer = "once" if args.yes else "reject"
                    reply.answer(answer)
                if args.json:
                    emit_jsonl(event_record(event, answer=answer))
                else:
                    _print_event(event, answer=answer, say=say, warn=warn)
                if isinstance(event, TurnDone):
                    reason = event.reason
    finally:
        if close is not None:
            close()
    return {TurnReason.CANCELLED: 130, TurnReason.ANSWERED: 0}.get(reason, 3)


def event_record(event: Any, *, answer: str = "") -> dict[str, Any]:
    """One event as a JSON object: `type` plus its fields (no reply slot)."""
    import dataclasses

    record: dict[str, Any] = {"type": _snake(type(event).__name__)}
    for f in dataclasses.fields(event):
        if f.name == "reply":
            continue
        value = getattr(event, f.name)
        if isinstance(value, tuple):
            value = [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for v in value]  # type: ignore[arg-type]
        elif isinstance(value, float):
            value = round(value, 4)
        record[f.name] = value
    if answer:
        record["answer"] = answer
    return record


def _print_event(event: Any, *, answer: str, say: Any, warn: Any) -> None:
    name = type(event).__name__
    if name == "AssistantText":
        say(event.text, end="")
    elif name == "ToolCallStarted":
        args = ", ".join(f"{k}={v!r}" for k, v in event.arguments.items())
        warn(f"\n→ {event.name}({args})")
    elif name == "ToolCallFinished":
        first = event.output.strip().splitlines()[0] if event.output.strip() else ""
        sandbox = (
            "" if event.sandboxed is None else (" [sandboxed]" if event.sandboxed else " [not sandboxed]")
        )
        warn(f"  {'ok' if event.ok else 'failed'}{sandbox}: {first[:160]}")
    elif name == "PermissionRequest":
        warn(
            f"  permission {event.tool}: {event.subject[:160]} -> {'granted' if answer == 'once' else 'refused (use --yes to grant)'}"
        )
    elif name == "EditProposed":
        warn(f"  edit {event.path} ({event.kind}):")
        say(event.diff, end="")
        if answer:
            warn(f"  -> {'accepted' if answer == 'once' else 'rejected (use --yes to accept)'}")
    elif name == "Diagnostics" and event.issues:
        for issue in event.issues:
            warn(f"  {event.path}:{issue.line}:{issue.column}: {issue.message}")
    elif name == "ContextTrimmed":
        warn(
            f"  (context nearly full: trimmed {event.trimmed_tool_outputs} old tool outputs, summarised {event.summarised_turns} turns)"
        )
    elif name == "TurnDone":
        say()
        warn(
            f"[{event.reason}: {event.steps} steps, {event.completion_tokens} tokens, "
            f"{event.tokens_per_s:.1f} tok/s, {event.elapsed_s:.1f}s]"
        )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
