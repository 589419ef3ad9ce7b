"""`check_endpoint`: what `enclave endpoint test` reports (reachable, models, context, tool support).

The tool check sends one tiny request with one made-up tool (no project content) and sees
how the call comes back: as structured `tool_calls`, as hermes text (which Enclave parses
all the same), refused, or not at all.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from app.core.cancel import CancelToken
from app.core.errors import EnclaveError, RemoteError
from app.core.remote.endpoint import Endpoint
from app.core.remote.remote_model import RemoteModel
from app.core.runtime.chat_template import Message
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta

_PROBE_TOOL = {
    "type": "function",
    "function": {
        "name": "current_time",
        "description": "Return the current time.",
        "parameters": {"type": "object", "properties": {}, "required": []},
    },
}
_PROBE_MESSAGES: list[Message] = [
    {"role": "user", "content": "What time is it? Call the current_time tool to find out."}
]

STRUCTURED = "structured tool calls"
AS_TEXT = "tool calls as text (hermes <tool_call>; Enclave parses them)"
NO_CALL = "tools accepted, but the model answered without calling one"


@dataclass
class EndpointReport:
    """The answers `endpoint test` prints."""

    name: str
    url: str
    model: str
    reachable: bool = False
    error: str = ""
    models: list[str] = field(default_factory=list)
    model_listed: bool | None = None  # None: the server lists no models
    context: int = 0
    context_source: str = ""
    tools: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        return asdict(self)


def check_endpoint(
    endpoint: Endpoint,
    *,
    api_key: str | None,
    ca_bundle: str = "",
    tools: bool = True,
    timeout: float = 60.0,
    cancel: CancelToken | None = None,
) -> EndpointReport:
    """Reach the endpoint and fill a report; a failure is a field of it, not an exception.

    Raises:
        EnclaveError: a policy lock turns endpoints off (nothing is sent then).

    """
    from app.core.remote.policy import current_policy

    policy = current_policy()
    if not policy.endpoints_allowed:
        raise EnclaveError(policy.message)
    report = EndpointReport(endpoint.name, endpoint.url, endpoint.model)
    started = time.perf_counter()
    token = cancel or CancelToken()
    try:
        model = RemoteModel.open(
            endpoint, api_key=api_key, ca_bundle=ca_bundle, timeout=timeout, backoff_s=0.5, cancel=token
        )
    except EnclaveError as exc:
        report.error = str(exc)
        report.seconds = time.perf_counter() - started
        return report
    try:
        report.reachable = True
        report.models = list(model.models_served)
        report.model_listed = (endpoint.model in report.models) if report.models else None
        report.context, report.context_source = model.n_ctx, model.info.ctx_source
        if tools:
            report.tools = _tool_support(model, cancel=token)
    finally:
        model.close()
    report.seconds = time.perf_counter() - started
    return report


def _tool_support(model: RemoteModel, *, cancel: CancelToken) -> str:
    text: list[str] = []
    try:
        for item in model.chat(
            _PROBE_MESSAGES, tools=[_PROBE_TOOL], sampling=Sampling.greedy(max_tokens=96), cancel=cancel
        ):
            if isinstance(item, TextDelta):
                text.append(item.text)
            elif isinstance(item, GenerationDone) and item.finish_reason == "cancelled":
                return "not checked (cancelled)"
    except RemoteError as exc:
        return f"refused: {exc}"
    if model.last_structured_calls:
        return STRUCTURED
    if "<tool_call>" in "".join(text):
        return AS_TEXT
    return NO_CALL


def report_lines(report: EndpointReport) -> list[str]:
    """The report as lines for a terminal."""
    lines = [f"{report.name}: {report.url} (model {report.model})"]
    if not report.reachable:
        lines.append(f"  not reachable: {report.error}")
        return lines
    lines.append(f"  reachable ({report.seconds:.1f} s)")
    served = ", ".join(report.models) if report.models else "(the server lists none)"
    lines.append(f"  models served: {served}")
    if report.model_listed is False:
        lines.append(f"  note: {report.model!r} is not among them; the server may refuse it")
    source = {"server": "from the server", "setting": "from the endpoint's setting"}.get(
        report.context_source, "the server does not say: a default; set it with --context"
    )
    lines.append(f"  context length: {report.context:,} tokens ({source})")
    if report.tools:
        lines.append(f"  tool support: {report.tools}")
    return lines
