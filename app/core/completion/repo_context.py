"""What the model sees of the rest of the project while completing: linked definitions and a ring.

- **Linked definitions.** Names used near the cursor that the index says are defined in
  another file: those definitions' source. They are looked up per block of lines around the
  cursor (`START_STEP`), so they change only when the cursor moves to another block and the
  KV cache keeps serving the prompt's start from keystroke to keystroke.
- **The ring.** Chunks of files the user recently viewed or edited, oldest first; a chunk
  nearly the same as one held replaces it, and chunks that repeat the text around the cursor
  are left out (they make the model copy what is already there).

Held in memory only, like everything of the project's content.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.core.completion.fim_format import START_STEP, Chunk

RING_CHUNKS = 16
CHUNK_LINES = 64
DEFINITION_LINES = 40
MAX_LINKED = 6
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
_KEYWORDS = frozenset(  # common words of the indexed languages that no index lookup needs
    {"and", "def", "class", "return", "import", "from", "self", "None", "True", "False", "for", "while"}
    | {"with", "not", "else", "elif", "try", "except", "const", "let", "var", "function", "this", "new"}
    | {"null", "undefined", "func", "package", "type", "struct", "interface", "impl", "pub", "use", "mod"}
    | {"public", "private", "static", "void", "int", "str", "bool"}
)


class Definition(Protocol):
    """A symbol the index knows (the fields of `app.core.index.Symbol` used here)."""

    @property
    def file(self) -> str:
        """The file it is defined in, relative to the project."""
        ...

    @property
    def line(self) -> int:
        """Its first line (1-based)."""
        ...

    @property
    def end_line(self) -> int:
        """Its last line."""
        ...


@dataclass(frozen=True)
class _Held:
    chunk: Chunk
    words: frozenset[str]


def _words(text: str) -> frozenset[str]:
    return frozenset(_NAME.findall(text))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice similarity of two word sets (1: the same words)."""
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


class RepoContext:
    """Chunks for a completion prompt, from the index and from what the user looked at."""

    def __init__(
        self,
        *,
        find_symbol: Callable[[str], Sequence[Definition]] | None = None,
        read: Callable[[str], str | None] | None = None,
    ) -> None:
        self._find_symbol = find_symbol
        self._read = read
        self._ring: deque[_Held] = deque(maxlen=RING_CHUNKS)
        self._linked: dict[tuple[str, int], tuple[Chunk, ...]] = {}

    def remember(self, path: str, text: str, *, line: int = 1) -> None:
        """A file was viewed or edited: keep the chunk of it around `line` (1-based)."""
        lines = text.split("\n")
        if len(lines) < 3:
            return
        start = max(0, min(line - 1 - CHUNK_LINES // 2, len(lines) - CHUNK_LINES))
        chunk = Chunk(path, "\n".join(lines[start : start + CHUNK_LINES]))
        held = _Held(chunk, _words(chunk.text))
        for old in list(self._ring):
            if similarity(old.words, held.words) > 0.9:
                self._ring.remove(old)
        self._ring.append(held)
        self._linked.clear()  # a saved file may have moved the definitions it links to

    def forget(self) -> None:
        """Drop every chunk (another project, Forget Everything)."""
        self._ring.clear()
        self._linked.clear()

    def chunks(self, path: str, text: str, offset: int) -> list[Chunk]:
        """The context for a completion at `offset` of `path`: linked definitions, then the ring."""
        lines = text[:offset].split("\n")
        block = (len(lines) - 1) // START_STEP
        all_lines = text.split("\n")
        around = "\n".join(all_lines[block * START_STEP : (block + 1) * START_STEP])
        near = _words(around)
        chosen = list(self._linked_chunks(path, block, around))
        for held in self._ring:
            if held.chunk.path == path and similarity(held.words, near) > 0.5:
                continue
            chosen.append(held.chunk)
        return chosen

    def _linked_chunks(self, path: str, block: int, around: str) -> tuple[Chunk, ...]:
        key = (path, block)
        cached = self._linked.get(key)
        if cached is not None:
            return cached
        found: dict[tuple[str, int], Chunk] = {}
        if self._find_symbol is not None and self._read is not None:
            for name in sorted(_words(around) - _KEYWORDS):
                for symbol in self._find_symbol(name)[:2]:
                    if symbol.file == path or (symbol.file, symbol.line) in found:
                        continue
                    source = self._read(symbol.file)
                    if source is None:
                        continue
                    body = source.split("\n")[
                        symbol.line - 1 : min(symbol.end_line, symbol.line + DEFINITION_LINES - 1)
                    ]
                    found[(symbol.file, symbol.line)] = Chunk(symbol.file, "\n".join(body))
                if len(found) >= MAX_LINKED:
                    break
        chunks = tuple(found[k] for k in sorted(found))  # a stable order: by file, then line
        if len(self._linked) > 64:
            self._linked.clear()
        self._linked[key] = chunks
        return chunks
