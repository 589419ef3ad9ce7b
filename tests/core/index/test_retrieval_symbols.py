"""Which symbols `context` lists with a file: the ones the question is about, each once."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.index import ProjectIndex
from app.core.index.terms import stem

STACK = '''\
class FrameStack:
    """Frames of the interpreter."""

    def pushed_frames(self):
        return self.frames

    def execute(self, frame):
        return frame


class Scheduler:
    def execute(self, job):
        return job

    def pop(self):
        return None


def helper():
    return 1
'''


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("cookie", "cookies", True),
        ("push", "pushed", True),
        ("pop", "popped", True),
        ("run", "running", True),
        ("register", "registered", True),
        ("app", "apply", False),
        ("use", "user", False),
        ("retry", "retries", True),
        ("parse", "parsing", True),
        ("ip", "ips", False),  # too short to guess at
    ],
)
def test_inflections_count_as_the_same_word(a: str, b: str, *, same: bool) -> None:
    assert (stem(a) == stem(b)) is same


def test_listed_symbols_match_inflected_words_once_each_with_their_class(tmp_path: Path) -> None:
    (tmp_path / "frames.py").write_text(STACK)
    index = ProjectIndex.open(tmp_path, workers=1)
    (hit,) = index.context("Where are frames pushed, popped and executed?", top=1)
    names = [s.name for s in hit.symbols]
    assert names.count("execute") == 1  # two methods share the name; listing it twice says nothing
    assert {"pushed_frames", "pop", "execute"} <= set(names)
    # The classes that hold them come along, so the model knows where each method lives.
    assert {"FrameStack", "Scheduler"} <= set(names)
    assert "helper" not in names
