"""`Session`: one conversation, in memory only, that outlives the models, indexes and agents serving it.

The session owns the conversation tree, the permissions ("always" answers) and the undo
stack (in an `AgentState`). An agent is only a model and an index put to work for it, and is
rebuilt whenever either changes, without losing any of that. Front ends add turns to the
tree, ask for a reply to one, run the job it returns on the model's thread, and render the
events; the session records the agent's messages for the exchange in the tree itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.agent.agent import Agent, AgentOptions, AgentState, TurnRequest
from app.core.agent.edits.blocks import EditBlock
from app.core.agent.index_adapter import IndexAdapter, IndexBeingBuilt
from app.core.agent.index_port import ProjectIndexPort
from app.core.agent.modes import Mode
from app.core.agent.permissions import Permissions
from app.core.agent.skills import Skill, load_skills
from app.core.cancel import CancelToken
from app.core.conversation import Conversation
from app.core.errors import NoModelError
from app.core.runtime.generation import Sampling

logger = logging.getLogger(__name__)

PLAIN_CHAT_TOKENS = 1024
NO_MODEL = "no model is loaded: Models › Set up a model…"

# A job for the model's thread: called with the loaded model (or None) and a cancel token.
ReplyJob = Callable[[Any, CancelToken], Iterator[object]]


@dataclass(frozen=True)
class ContextPrepared:
    """The static start of the next prompt is in the KV cache (`evaluated` tokens were new)."""

    evaluated: int
    seconds: float
    complete: bool  # False: a question came first and cut it short
    tokens: int = 0  # the prepared start's size, held in the KV cache (0: not known for this model)


class Session:
    """A conversation about the project at `root` (None: plain chat with the model, no tools)."""

    def __init__(
        self,
        root: Path | None,
        *,
        options: AgentOptions | None = None,
        permissions: Permissions | None = None,
    ) -> None:
        self.root = root
        self.options = options or AgentOptions()
        self.conversation = Conversation()
        self.state = AgentState(permissions=permissions or Permissions())
        self._index: Any = None  # a ProjectIndexPort or a built ProjectIndex; None while building
        self._skills: dict[str, Skill] | None = None
        self._agent: Agent | None = None

    @property
    def permissions(self) -> Permissions:
        """The rules and the "always" answers given in this session."""
        return self.state.permissions

    def set_index(self, index: Any) -> None:
        """Use the built index from now on (a `ProjectIndex`, or any `ProjectIndexPort`)."""
        self._index = index
        self._agent = None

    def reply(self, reply_id: int, *, mode: Mode = Mode.PLAN, mentions: Sequence[str] = ()) -> ReplyJob:
        """The job that fills assistant turn `reply_id` (already in the tree, under its question).

        The history is read now, on the caller's thread; the job runs on the model's thread.
        """
        reply = self.conversation.get(reply_id)
        if reply.parent is None:
            raise ValueError("a reply must follow a question")
        question = self.conversation.get(reply.parent)
        if self.root is None:
            messages = self.conversation.messages(upto=reply_id)

            def plain(model: Any, cancel: CancelToken) -> Iterator[object]:
                if model is None:
                    raise NoModelError(NO_MODEL)
                yield from model.chat(
                    messages, sampling=Sampling(max_tokens=PLAIN_CHAT_TOKENS), cancel=cancel
                )

            return plain
        history = self.conversation.prior_turns(upto=question.id)
        request = TurnRequest(text=question.text, mode=mode, mentions=tuple(mentions))

        def agent_turn(model: Any, cancel: CancelToken) -> Iterator[object]:
            agent = self._agent_for(model)
            outcome = yield from agent.run_turn(request, history=history, cancel=cancel)
            reply.payload = outcome.messages  # this exchange as the agent saw it, for later turns

        return agent_turn

    def prepare(self, *, mode: Mode = Mode.PLAN) -> ReplyJob:
        """The job that evaluates the next prompt's static start while the user types.

        System prompt, tool schemas, repo map and pinned files go into the KV cache, so the
        question that follows evaluates only itself. Cancelling it (a question was sent)
        stops within one batch and keeps what was done. Nothing happens in plain chat.
        """

        def job(model: Any, cancel: CancelToken) -> Iterator[object]:
            if model is None or self.root is None:
                return
            started = time.perf_counter()
            try:
                evaluated = self._agent_for(model).prefill(mode, cancel=cancel)
            except Exception as exc:  # only a head start: a failure here must never reach the user
                logger.info("prefill skipped: %s", type(exc).__name__)
                return
            held = getattr(model, "held_tokens", 0)  # a remote model holds no cache here
            yield ContextPrepared(
                evaluated, time.perf_counter() - started, complete=not cancel.cancelled, tokens=held
            )

        return job

    def propose_from_block(self, block: EditBlock, *, path: str) -> ReplyJob:
        """The job that turns a code block from the chat into a proposed edit of `path`.

        It takes the agent's own route: the same planner (whole file, whole symbols or
        SEARCH/REPLACE), the same permission rules and review (`EditProposed`, answered
        hunk by hunk), the same atomic write and undo stack. It needs no model, so a
        block can be applied while none is loaded. Planning errors raise `ToolError`.
        """
        if self.root is None:
            raise ValueError("applying a code block needs a project")
        root = self.root

        def job(model: Any, cancel: CancelToken) -> Iterator[object]:
            from app.core.agent.confine import ProjectRoot
            from app.core.agent.edit_session import EditSession
            from app.core.agent.gate import Gate
            from app.core.agent.tools.base import ToolContext
            from app.core.agent.tools.edit import apply_block

            index = self._port(model)
            gate = Gate(self.permissions, ids=self.state.ids, auto_accept=self.options.auto_accept)
            edits = EditSession(gate, index, self.state.ids, undo=self.state.undo)
            ctx = ToolContext(root=ProjectRoot(root), index=index, gate=gate, edits=edits, cancel=cancel)
            yield from apply_block(ctx, path, symbol="", whole=False, block=block)
            if edits.applied and self._agent is not None:
                self._agent.forget_map()

        return job

    def new_chat(self) -> Conversation:
        """Start an empty conversation; permissions, the undo stack and the index stay.

        Files pinned for the old conversation are unpinned: the new one starts from nothing.
        """
        self.conversation = Conversation()
        self.state.pinned.clear()
        return self.conversation

    def undo(self) -> str | None:
        """Revert the newest applied edit (on the model's thread); its path, or None when none is left."""
        if self._agent is not None:
            return self._agent.undo()
        entry = self.state.undo.undo()
        return entry.relpath if entry is not None else None

    def _agent_for(self, model: Any) -> Agent:
        if model is None:
            raise NoModelError(NO_MODEL)
        agent = self._agent
        if agent is None or agent.model is not model:
            assert self.root is not None
            agent = Agent(
                model,
                root=self.root,
                index=self._port(model),
                state=self.state,
                options=self.options,
                skills=self._project_skills(),
            )
            self._agent = agent
        return agent

    def _port(self, model: Any) -> ProjectIndexPort:
        from app.core.index import ProjectIndex

        assert self.root is not None
        if self._index is None:
            return IndexBeingBuilt(self.root)
        if isinstance(self._index, ProjectIndex):
            count = model.count_tokens if model is not None else _rough_tokens
            return IndexAdapter(self._index, count_tokens=count)
        port: ProjectIndexPort = self._index
        return port

    def _project_skills(self) -> dict[str, Skill]:
        if self._skills is None:
            self._skills = load_skills(self.root) if self.root is not None else {}
        return self._skills


def _rough_tokens(text: str) -> int:
    # No model to count with (a chat block applied with none loaded): ~4 characters a token.
    return len(text) // 4 + 1
