"""Search terms of code and questions: identifiers split at `_` and camelCase, lightly stemmed.

`parse_url`, `parseURL` and "parsing urls" all come out with the terms `pars` and `url`; the
whole compound (`parse_url`, `parseurl`) is kept as one more term, so a question that spells
an identifier matches it more strongly than one that only shares its words.

Runs in the parser worker processes (a file's body terms are counted there), so it imports
nothing heavy.
"""

from __future__ import annotations

import functools
import itertools
import re
from array import array
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# Question words that say nothing about where code lives.
_STOPWORDS_TEXT = """a an and are as at be been being but by can could did do does doing done for from
get got had has have having how i if in into is it its itself me my no not of on or our ours should so
some such than that the their them then there these they this those to too us very was we were what
when where which while who whom why will with would you your yours also only just now via etc e g eg ie
code file files find show logic work works make makes made instead able like want need needs"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Words that say what to do rather than where: a question "fix the retry delay" is about the
# retry delay. Kept out of the query unless weighted in (RankingOptions.task_word_weight).
_TASK_WORDS_TEXT = """fix fixes fixed add adds added remove removes removed update updates updated improve
improved support supports allow allows change changes changed ensure refactor cleanup clean bump use make
properly correctly correct issue bug new unused unnecessary better"""
TASK_WORDS = frozenset(_TASK_WORDS_TEXT.split())
# Lines per passage: the body is counted per passage of this many lines as well as whole.
PASSAGE_LINES = 20
_VOWELS = frozenset("aeiouy")
_MAX_WORD = 60
_URL_OR_EMAIL = re.compile(r"https?://\S+|\S+@\S+\.\w+")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, consistent stem: plurals, -ed, -ing and a final -e or -y (`retries` -> `retri`).

    Both sides of a match are stemmed the same way, so the stem need not be a word:
    parse, parses, parsed and parsing all give `pars`; retry, retries and retried `retri`.
    """
    w = word.lower()
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("ed") and not w.endswith("eed") and len(w) > 4 and _VOWELS & set(w[:-2]):
        w = _undouble(w[:-2])
    elif w.endswith("ing") and len(w) > 5 and _VOWELS & set(w[:-3]):
        w = _undouble(w[:-3])
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    elif w.endswith("y") and len(w) > 3 and w[-2] not in _VOWELS:
        w = w[:-1] + "i"
    return w


def _undouble(w: str) -> str:
    # popped -> pop, running -> run; but call(ed), pass(ed), fill(ing) keep their pair.
    if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz" and w[-1] not in _VOWELS:
        return w[:-1]
    return w


def split_identifier(token: str) -> list[str]:
    """The lower-cased parts of an identifier: `HTTPServer_close` -> http, server, close."""
    return [p.lower() for piece in token.split("_") for p in _PART.findall(piece)]


@functools.lru_cache(maxsize=200_000)
def word_terms(token: str) -> tuple[str, ...]:
    """The terms of one word or identifier: its stemmed parts, plus the whole when compound."""
    parts = split_identifier(token)
    if not parts:
        return ()
    if len(parts) == 1:
        return (stem(parts[0]),)
    whole = token.lower().strip("_")
    return (whole, *[stem(p) for p in parts])


def text_terms(text: str) -> list[str]:
    """Every term of `text` in order (repeats kept), for counting."""
    out: list[str] = []
    for token in _WORD.findall(text):
        if len(token) <= _MAX_WORD:
            out.extend(word_terms(token))
    return out


def count_terms(text: str) -> Counter[str]:
    """How often each term occurs in `text`."""
    counts: Counter[str] = Counter()
    for token, n in Counter(_WORD.findall(text)).items():
        if len(token) <= _MAX_WORD:
            for term in word_terms(token):
                counts[term] += n
    return counts


def task_terms() -> frozenset[str]:
    """The terms of TASK_WORDS (as query_terms makes them)."""
    return frozenset(t for w in TASK_WORDS for t in word_terms(w))


# Every byte that cannot be part of a word becomes a space, newlines excepted (passages are
# lines): `bytes.split` then cuts a text into its words several times faster than a regex.
_WORD_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
_SEPARATE = bytes(b if b in _WORD_BYTES or b == ord("\n") else ord(" ") for b in range(256))
_DIGITS = b"0123456789"


def _raw_words(text: bytes) -> list[bytes]:
    """The runs of word characters in `text`; a run may start with digits (see raw_word_terms)."""
    return text.translate(_SEPARATE).split()


def term_table(
    data: bytes, *, path: str, names: Iterable[str], signatures: Iterable[str], docs: str
) -> tuple[bytes, bytes]:
    """A file's words for the search, packed: (distinct words, slot groups and counts).

    The words are the file's distinct raw words (runs of letters, digits and `_`, unsplit),
    newline-joined. The second part is uint32s: the number of groups G, then G slot numbers
    (0 path, 1 symbol names, 2 signatures, 3 docs and comments, 4 + n the body's passage n
    of PASSAGE_LINES lines), G group sizes, then for every entry of every group the word's
    number, then its count. Splitting and stemming happen once per distinct word of the
    whole project, in the lexical index, not once per file here: this runs in the parser
    workers, and it kept the parse step's cost near where it was.
    """
    groups = [
        Counter(_raw_words(_path_text(path).encode("utf-8", "replace"))),
        # Names are identifiers: one search over all of them (each distinct name counted once).
        Counter(_raw_words("\n".join(set(names)).encode("utf-8", "replace"))),
        Counter(_raw_words("\n".join(signatures).encode("utf-8", "replace"))),
        Counter(_raw_words(docs.encode("utf-8", "replace"))),
    ]
    # One translation of the whole body; a passage's lines are joined and split in C.
    lines = data.translate(_SEPARATE).split(b"\n")
    join = b" ".join
    groups.extend(
        Counter(join(lines[s : s + PASSAGE_LINES]).split()) for s in range(0, len(lines), PASSAGE_LINES)
    )
    slots = [slot for slot, counted in enumerate(groups) if counted]
    groups = [counted for counted in groups if counted]
    # Words numbered in order of first use, built and looked up without a Python-level loop.
    first_use = dict.fromkeys(itertools.chain.from_iterable(groups))
    numbering = dict(zip(first_use, range(len(first_use)), strict=True))
    packed = array("I", [len(slots)])
    packed.extend(slots)
    packed.extend(map(len, groups))
    packed.extend(map(numbering.__getitem__, itertools.chain.from_iterable(groups)))
    packed.extend(itertools.chain.from_iterable(counted.values() for counted in groups))
    return b"\n".join(numbering), packed.tobytes()


def raw_word_terms(raw: bytes) -> tuple[str, ...]:
    """The terms of one raw word from a term table (none for a number or an over-long word).

    A word's leading digits are not part of it (`0x1f` is the word `x1f`, as `_WORD` reads it).
    """
    word = raw.lstrip(_DIGITS)
    return word_terms(word.decode("ascii")) if len(word) <= _MAX_WORD else ()


def _path_text(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    stem = path.rsplit(".", 1)[0] if "." in name else path
    return stem.replace("/", " ").replace("-", " ").replace(".", " ")


def query_terms(question: str) -> list[str]:
    """The distinct searchable terms of a question, in order of first use.

    Stopwords, one-letter words and bare numbers (issue and PR numbers) are dropped, as are
    URLs and e-mail addresses.
    """
    seen: dict[str, None] = {}
    for token in _WORD.findall(_URL_OR_EMAIL.sub(" ", question)):
        if token.isdigit() or len(token) > _MAX_WORD:
            continue
        parts = split_identifier(token)
        if len(parts) == 1 and (parts[0] in STOPWORDS or len(parts[0]) < 2):
            continue
        for term in word_terms(token):
            if len(term) > 1 and term not in STOPWORDS and not term.isdigit():
                seen.setdefault(term, None)
    return list(seen)
