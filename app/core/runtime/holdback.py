"""Streamed text that might be the start of a marker is held back until the next piece decides.

Stop strings (`LocalModel.stream`) and the `<tool_call>` tags the agent hides from the user
(`VisibleText`) arrive split across tokens; showing the first half and then cutting would
leave a stray `<tool_` in the reply.
"""

from __future__ import annotations

from collections.abc import Sequence


def partial_tail(text: str, markers: Sequence[str]) -> int:
    """How many characters at the end of `text` could still grow into one of `markers`.

    Only a proper start of a marker counts: a whole marker is the caller's to find first.
    """
    longest = max((len(m) for m in markers), default=0)
    for k in range(min(len(text), longest - 1), 0, -1):
        tail = text[-k:]
        if any(m.startswith(tail) for m in markers):
            return k
    return 0
