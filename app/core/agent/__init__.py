"""The agent: Plan and Build turns over a project, with tools, permissions and reviewed edits.

Public API:

- `Agent(model, *, root, index=None, permissions=None, options=None)` and
  `Agent.run_turn(TurnRequest(text, mode=Mode.PLAN|Mode.BUILD), *, cancel) -> Iterator[Event]`;
  `Agent.undo()` reverts the newest applied edit.
- Events (`app.core.agent.events`): `AssistantText`, `ToolCallStarted`, `ToolCallFinished`,
  `PermissionRequest` and `EditProposed` (answer `event.reply.answer("once"|"always"|"reject")`;
  the loop waits), `EditResolved`, `Diagnostics`, `ContextTrimmed`, and `TurnDone` last.
- `Permissions` / `Rule` (allow | ask | deny per tool and per run-command prefix, last match wins).
- `ScriptedModel`: a `ChatModel` replaying recorded replies (`--model script:FILE`).
- `ProjectIndexPort`: what the agent needs from the index; `IndexAdapter` adapts the real one.
"""

from app.core.agent.agent import Agent, AgentOptions, TurnRequest
from app.core.agent.modes import Mode
from app.core.agent.permissions import Permissions, Rule
from app.core.agent.scripted_model import ScriptedModel

__all__ = ["Agent", "AgentOptions", "Mode", "Permissions", "Rule", "ScriptedModel", "TurnRequest"]
