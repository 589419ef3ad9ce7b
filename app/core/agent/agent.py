"""`Agent`: the turn loop. The model and the index are passed in; the front end consumes events."""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.agent.call_runner import execute
from app.core.agent.confine import ProjectRoot
from app.core.agent.context import assemble
from app.core.agent.edit_session import EditSession
from app.core.agent.edits.blocks import find_blocks
from app.core.agent.edits.files import UndoStack
from app.core.agent.events import ContextTrimmed, Event, TurnDone, TurnReason
from app.core.agent.gate import Gate
from app.core.agent.generate import StepStats, generate_step
from app.core.agent.grammar import tool_call_grammar
from app.core.agent.index_port import ProjectIndexPort
from app.core.agent.modes import Mode, all_tools, tools_for
from app.core.agent.permissions import Permissions
from app.core.agent.prompts import system_prompt
from app.core.agent.skills import Skill, expand_skill, load_skills
from app.core.agent.tool_call_parser import ParsedCall, canonical, split_reply
from app.core.agent.tools.base import Limits, Tool, ToolContext
from app.core.cancel import CancelToken
from app.core.errors import Cancelled, ContextOverflowError, ToolError
from app.core.names import quote_name
from app.core.runtime.chat_template import Message, ToolCall
from app.core.runtime.generation import ChatModel, Sampling
from app.core.text_file import decode_text

logger = logging.getLogger(__name__)
DOOM_LOOP_REPEATS = 3
_MENTION = re.compile(r"(?<![\w@])@([\w./-]+\w)")


@dataclass(frozen=True)
class TurnRequest:
    """One user message and how to handle it."""

    text: str
    mode: Mode = Mode.PLAN
    mentions: tuple[str, ...] = ()  # files to pin into the context (besides @path in the text)


@dataclass(frozen=True)
class AgentOptions:
    """How the loop runs."""

    max_steps: int = 12
    sampling: Sampling = field(default_factory=lambda: Sampling(max_tokens=1536))
    grammar: bool = True  # constrain the call once <tool_call> opens
    draft_edits: bool = True  # Build mode: speculative decoding with drafts from the prompt (edits repeat it)
    force_first_call: bool = False  # start step 1 inside <tool_call> (forced tool use)
    map_tokens: int = 0  # 0: sized from the context window
    auto_accept: bool = False  # apply edits and allow asks without a prompt (rules that deny still deny)
    sandbox: bool = True
    run_env: tuple[str, ...] = ()  # environment variables a command may see (names or `*` patterns)
    limits: Limits = field(default_factory=Limits)
    pinned_file_chars: int = 24_000


@dataclass(frozen=True)
class TurnOutcome:
    """How `_turn` ended: the reason, the final answer, the steps taken, and the turn's messages."""

    reason: TurnReason
    text: str
    steps: int
    messages: tuple[Message, ...]


@dataclass
class AgentState:
    """What a conversation keeps across agents: permissions, undo, pinned files, event ids.

    A `Session` owns one and hands it to each agent it builds, so a model switch or an index
    that finishes building does not reset "always" answers or the undo stack.
    """

    permissions: Permissions = field(default_factory=Permissions)
    undo: UndoStack = field(default_factory=UndoStack)
    pinned: list[str] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class Agent:
    """One model and one index working for a conversation; its lasting state is an `AgentState`."""

    def __init__(
        self,
        model: ChatModel,
        *,
        root: Path,
        index: ProjectIndexPort,
        state: AgentState | None = None,
        permissions: Permissions | None = None,
        options: AgentOptions | None = None,
        skills: dict[str, Skill] | None = None,
    ) -> None:
        self.model = model
        self.root = ProjectRoot(root)
        check_project = getattr(model, "check_project", None)
        if check_project is not None:  # a remote model refuses a local-only project
            check_project(self.root.path)
        self.index: ProjectIndexPort = index
        self.state = state or AgentState(permissions=permissions or Permissions())
        self.permissions = self.state.permissions
        self.options = options or AgentOptions()
        self.skills = skills if skills is not None else load_skills(self.root.path)
        self.pinned = self.state.pinned
        self._ids = self.state.ids
        self.gate = Gate(self.permissions, ids=self._ids, auto_accept=self.options.auto_accept)
        self.edits = EditSession(self.gate, self.index, self._ids, undo=self.state.undo)
        self._map: str | None = None

    def forget_map(self) -> None:
        """Files changed outside a turn (an applied chat block): the next prompt maps the project again."""
        self._map = None

    def undo(self) -> str | None:
        """Revert the newest applied edit; returns its path, or None when nothing is left."""
        entry = self.edits.undo.undo()
        if entry is None:
            return None
        self.index.file_changed(entry.relpath)
        self._map = None
        return entry.relpath

    def run_turn(
        self, request: TurnRequest, *, cancel: CancelToken, history: Sequence[Sequence[Message]] = ()
    ) -> Generator[Event, None, TurnOutcome]:
        """Answer `request` after the earlier exchanges `history`, yielding events.

        The last event is always `TurnDone`; the generator returns the turn's outcome, with
        the messages it added (for the caller to keep as this exchange's record).
        """
        started = time.perf_counter()
        stats = StepStats()
        current: list[Message] = []
        try:
            outcome = yield from self._turn(
                request, history=history, current=current, cancel=cancel, stats=stats
            )
        except Cancelled:
            outcome = TurnOutcome(TurnReason.CANCELLED, "", 0, tuple(current))
        except ContextOverflowError:
            outcome = TurnOutcome(TurnReason.CONTEXT_FULL, "", 0, tuple(current))
        self.edits.applied.clear()
        yield TurnDone(
            reason=outcome.reason,
            text=outcome.text,
            steps=outcome.steps,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            tokens_per_s=stats.tokens_per_s,
            elapsed_s=time.perf_counter() - started,
            ttft_s=None if stats.first_token_at is None else stats.first_token_at - started,
        )
        return outcome

    def _turn(
        self,
        request: TurnRequest,
        *,
        history: Sequence[Sequence[Message]],
        current: list[Message],
        cancel: CancelToken,
        stats: StepStats,
    ) -> Generator[Event, None, TurnOutcome]:
        text, _skill = expand_skill(request.text, self.skills)
        self._pin(list(request.mentions) + _MENTION.findall(request.text))
        mode = Mode(request.mode)
        offered, schemas = self._tools(mode)
        known = frozenset(t.spec.name for t in all_tools())
        # A remote model (`constrains_calls = False`) cannot continue a reply under a grammar.
        constrains = getattr(self.model, "constrains_calls", True)
        grammar = (
            tool_call_grammar([t.spec for t in offered.values()])
            if self.options.grammar and offered and constrains
            else None
        )
        system = system_prompt(mode)
        earlier = [list(turn) for turn in history]
        current.append({"role": "user", "content": text})
        ctx = ToolContext(
            self.root,
            self.index,
            self.gate,
            self.edits,
            cancel,
            limits=self.options.limits,
            sandbox=self.options.sandbox,
            run_env=self.options.run_env,
        )
        recent: list[str] = []
        sampling = self.options.sampling
        if mode is Mode.BUILD and self.options.draft_edits:
            sampling = replace(sampling, draft=True)
        for step in range(1, self.options.max_steps + 1):
            cancel.raise_if_cancelled()
            budget = self.model.n_ctx - self.options.sampling.max_tokens - 64
            built = assemble(
                system=system, project=self._project_context(), history=earlier, current=current,
                tools=schemas, budget=budget, count=self.model.count_tokens,
            )  # fmt: skip
            if built.trimmed_tool_outputs or built.summarised_turns:
                yield ContextTrimmed(
                    built.trimmed_tool_outputs, built.summarised_turns, built.tokens_before, built.tokens
                )
            if built.tokens > budget + self.options.sampling.max_tokens:
                raise ContextOverflowError("the conversation no longer fits the context window")
            reply = yield from generate_step(
                self.model, built.messages, tools=schemas, sampling=sampling, grammar=grammar,
                force_call=self.options.force_first_call and step == 1 and grammar is not None, stats=stats, cancel=cancel,
            )  # fmt: skip
            if reply.finish_reason == "cancelled":
                raise Cancelled("cancelled")
            split = split_reply(reply.text, tool_names=known)
            calls = list(split.calls)
            if not calls and mode is Mode.BUILD and "edit" in offered:
                calls = [ParsedCall("edit", {"path": b.path}) for b in find_blocks(split.text) if b.path]
            if not calls:
                current.append({"role": "assistant", "content": split.text})
                return TurnOutcome(TurnReason.ANSWERED, split.text, step, tuple(current))
            valid: list[ToolCall] = [{"name": c.name, "arguments": c.arguments} for c in calls if not c.error]
            assistant: Message = {"role": "assistant", "content": split.text}
            if valid:
                assistant["tool_calls"] = valid
            current.append(assistant)
            for call in calls:
                signature = f"{call.name}:{canonical(call.arguments)}:{call.error}"
                recent = [*recent[-(DOOM_LOOP_REPEATS - 1) :], signature]
                if len(recent) == DOOM_LOOP_REPEATS and len(set(recent)) == 1:
                    go_on = yield from self._ask_doom_loop(call, cancel)
                    if not go_on:
                        return TurnOutcome(TurnReason.DOOM_LOOP, split.text, step, tuple(current))
                    recent = []
                # Each call gets its own inputs (the reply's edit blocks, text after its JSON).
                call_ctx = replace(ctx, reply_text=split.text, attached=call.attached)
                result = yield from execute(
                    call, offered, mode=mode, ctx=call_ctx, call_id=next(self._ids), step=step
                )
                current.append({"role": "tool", "content": result.output})
            if self.edits.applied:
                self._map = None
        return TurnOutcome(TurnReason.STEP_LIMIT, "", self.options.max_steps, tuple(current))

    def prefill(self, mode: Mode, *, cancel: CancelToken) -> int:
        """Evaluate the start of the next prompt now: system prompt, tool schemas, map, pinned files.

        A turn builds its prompt in the same order, so it finds this part in the KV cache
        and evaluates only what follows. Returns the tokens evaluated (0: already cached).
        """
        _offered, schemas = self._tools(mode)
        leading: list[Message] = [{"role": "system", "content": system_prompt(mode)}]
        project = self._project_context()
        if project:
            leading.append({"role": "user", "content": project})
        # The system message (with the tool schemas) is Enclave's own text: code-free.
        return self.model.prefill(leading, tools=schemas, code_free=1, cancel=cancel)

    def _tools(self, mode: Mode) -> tuple[dict[str, Tool], list[dict[str, Any]]]:
        offered = {t.spec.name: t for t in tools_for(mode, permissions=self.permissions)}
        return offered, [t.spec.schema() for t in offered.values()]

    def _ask_doom_loop(self, call: ParsedCall, cancel: CancelToken) -> Generator[Event, None, bool]:
        subject = f"{call.name} {canonical(call.arguments)}"[:300]
        reason = (
            f"The model made the same {call.name} call {DOOM_LOOP_REPEATS} times in a row. Let it continue?"
        )
        try:
            return (yield from self.gate.check("doom_loop", subject, reason=reason, cancel=cancel))
        except ToolError:  # refused with a message: the turn stops all the same
            return False

    def _pin(self, paths: list[str]) -> None:
        for raw in paths:
            try:
                path = self.root.resolve(raw)
            except ToolError:
                continue
            if path.is_file():
                rel = self.root.relative(path)
                if rel not in self.pinned:
                    self.pinned.append(rel)

    def _project_context(self) -> str:
        if self._map is None:
            tokens = self.options.map_tokens or max(256, min(2048, self.model.n_ctx // 8))
            try:
                self._map = self.index.repo_map(tokens=tokens, files=self.pinned)
            except (OSError, ValueError):
                self._map = ""
        parts = []
        if self._map:
            parts.append("Project map (main files and definitions):\n" + self._map)
        for rel in self.pinned:
            try:
                data = decode_text((self.root.path / rel).read_bytes())[0]
            except OSError:
                continue
            data = data[: self.options.pinned_file_chars]
            parts.append(f"File {quote_name(rel)}:\n```\n{data}\n```")
        return "\n\n".join(parts)
