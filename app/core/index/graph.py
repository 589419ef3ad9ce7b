"""The file graph (referencing file -> defining file, per identifier) and personalized PageRank.

Edges are kept per identifier, so a changed file recomputes only the identifiers it
defines or uses; PageRank then runs on flat numpy arrays (a re-rank with new seeds is a
few vector operations).

The per-identifier tables hold tuples and str->int dicts only, never lists or sets: the
garbage collector stops tracking those once it has seen them, so a big project's graph
adds almost nothing to a full collection. (With lists and sets it added ~400k tracked
objects and made each full collection, which holds the GIL, take ~80 ms: a visible UI
stall while a background thread indexes.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# numpy is imported on the first rank, not with this module: its BLAS starts a thread at
# import, and a build in a process with one thread can fork its parser workers cheaply.

# An identifier defined in this many files or more says little about which one is meant
# (`__init__`, `name`, `run`); it adds no edges.
MAX_DEFINERS = 25
MAX_TAGS = 5000
_DAMPING = 0.85
_SELF_SHARE = 0.5
_MENTION_BOOST = 10.0
_ITERATIONS = 40
_TOLERANCE = 1e-7
_TUPLE_HOLDERS = 16
_WORDY = re.compile(r"[a-z0-9][_-][a-z0-9]|[a-z0-9][A-Z]")

# (source file ids, destination file ids, weights) of one identifier's edges.
_Edges = tuple[tuple[int, ...], tuple[int, ...], tuple[float, ...]]


def load_ranker() -> None:
    """Import numpy now (the first rank needs it), e.g. while parser workers are busy."""
    import numpy  # noqa: F401


@dataclass(frozen=True)
class Ranking:
    """File ranks and (file, identifier) tag ranks for one set of seeds."""

    file_rank: dict[str, float]
    tag_rank: list[tuple[str, str, float]]  # (defining file, identifier, score), best first


class FileGraph:
    """Identifiers defined and referenced per file; edges refreshed per changed identifier."""

    def __init__(self) -> None:
        # Usually one or two files define a name: a tuple; a set only for popular names.
        self._defines: dict[str, tuple[str, ...] | set[str]] = {}
        self._refs: dict[str, dict[str, int]] = {}
        self._file_defs: dict[str, tuple[str, ...]] = {}
        self._file_refs: dict[str, tuple[str, ...]] = {}
        # File ids are stable (never reused) so per-identifier edges survive other changes.
        self._files: list[str] = []
        self._file_ids: dict[str, int] = {}
        self._edges: dict[str, _Edges] = {}
        self._dirty_idents: set[str] = set()
        self._flat_dirty = True
        self._idents: list[str] = []
        # Flat edge arrays, made by _refresh() (the graph starts dirty).
        self._src: np.ndarray
        self._dst: np.ndarray
        self._ident: np.ndarray
        self._base: np.ndarray

    def set_file(self, path: str, *, defines: Collection[str], references: Mapping[str, int]) -> None:
        """Replace what `path` defines and references."""
        self.remove_file(path)
        if path not in self._file_ids:
            self._file_ids[path] = len(self._files)
            self._files.append(path)
        names = tuple(set(defines))
        self._file_defs[path] = names
        holders = self._defines
        for name in names:
            found = holders.get(name)
            if found is None:
                holders[name] = (path,)
            elif isinstance(found, set):
                found.add(path)
            elif len(found) < _TUPLE_HOLDERS:
                holders[name] = (*found, path)
            else:
                holders[name] = {*found, path}
        for name, count in references.items():
            self._refs.setdefault(name, {})[path] = count
        self._file_refs[path] = tuple(references)
        self._dirty_idents.update(names)
        self._dirty_idents.update(references)

    def remove_file(self, path: str) -> None:
        """Forget `path` (no-op when unknown)."""
        old = self._file_defs.pop(path, None)
        if old is None:
            return
        for name in old:
            holders = self._defines.get(name)
            if isinstance(holders, set):
                holders.discard(path)
                if not holders:
                    del self._defines[name]
            elif holders is not None:
                rest = tuple(h for h in holders if h != path)
                if rest:
                    self._defines[name] = rest
                else:
                    del self._defines[name]
        old_refs = self._file_refs.pop(path, ())
        for name in old_refs:
            users = self._refs.get(name)
            if users is not None:
                users.pop(path, None)
                if not users:
                    del self._refs[name]
        self._dirty_idents.update(old)
        self._dirty_idents.update(old_refs)

    def definers(self, name: str) -> frozenset[str]:
        """Files that define `name`."""
        return frozenset(self._defines.get(name, ()))

    def _edges_for(self, name: str) -> _Edges | None:
        definers = self._defines.get(name)
        if not definers:
            return None
        ids = self._file_ids
        users = self._refs.get(name)
        if not users:
            # A definition nobody uses still belongs in the map: a weak self-edge (as Aider does).
            def_ids = tuple([ids[d] for d in definers])
            return def_ids, def_ids, (0.1,) * len(def_ids)
        n_definers = len(definers)
        if n_definers >= MAX_DEFINERS:
            return None
        mul = 1.0
        if len(name) >= 8 and _WORDY.search(name):
            mul *= 10.0
        if name.startswith("_"):
            mul *= 0.1
        if n_definers > 5:
            mul *= 0.1
        if n_definers == 1:  # the common case, kept cheap for cold builds
            (only,) = definers
            src = tuple([ids[u] for u in users])
            return src, (ids[only],) * len(src), tuple([mul * math.sqrt(c) for c in users.values()])
        many = [ids[d] for d in definers]
        srcs: list[int] = []
        dst: list[int] = []
        weights: list[float] = []
        for user, count in users.items():
            srcs.extend([ids[user]] * n_definers)
            dst.extend(many)
            weights.extend([mul * math.sqrt(count)] * n_definers)
        return tuple(srcs), tuple(dst), tuple(weights)

    def _refresh(self) -> None:
        if self._dirty_idents:
            for name in self._dirty_idents:
                edges = self._edges_for(name)
                if edges is None:
                    self._edges.pop(name, None)
                else:
                    self._edges[name] = edges
            self._dirty_idents.clear()
            self._flat_dirty = True
        if not self._flat_dirty:
            return
        import numpy as np

        self._idents = list(self._edges)
        values = list(self._edges.values())
        self._src = np.fromiter(chain.from_iterable(v[0] for v in values), dtype=np.int64)
        self._dst = np.fromiter(chain.from_iterable(v[1] for v in values), dtype=np.int64)
        self._base = np.fromiter(chain.from_iterable(v[2] for v in values), dtype=np.float64)
        self._ident = np.repeat(np.arange(len(values), dtype=np.int64), [len(v[0]) for v in values])
        self._flat_dirty = False

    def rank(
        self,
        *,
        chat_files: Collection[str] = (),
        mentions: Collection[str] = (),
        seed_files: Mapping[str, float] | None = None,
    ) -> Ranking:
        """Personalized PageRank seeded by chat files, mentioned identifiers and extra seeds."""
        import numpy as np

        self._refresh()
        n = len(self._files)
        live = np.zeros(n, dtype=bool)
        live[[self._file_ids[f] for f in self._file_defs]] = True
        if not live.any():
            return Ranking({}, [])
        mentioned = {m for m in mentions if m}
        weight = self._base.copy()
        hits: np.ndarray | None = None
        if mentioned and self._idents:
            hits = np.fromiter(
                (name in mentioned for name in self._idents), dtype=bool, count=len(self._idents)
            )
            weight[hits[self._ident]] *= 10.0
        chat_ids = [self._file_ids[f] for f in chat_files if f in self._file_defs]
        if chat_ids and len(weight):
            weight[np.isin(self._src, chat_ids)] *= 50.0
        personal = np.zeros(n)
        for chat_id in chat_ids:
            personal[chat_id] += 1.0
        for name in mentioned:
            for definer in self._defines.get(name, ()):
                personal[self._file_ids[definer]] += 1.0
        for seed, seed_weight in (seed_files or {}).items():
            if seed in self._file_defs:
                personal[self._file_ids[seed]] += seed_weight
        if personal.sum() <= 0:
            personal[live] = 1.0
        personal /= personal.sum()
        # Self-loops (a file using its own definitions, or the placeholder edge of an unused
        # definition) would trap rank in the file; they only give tags a key, and a file's
        # own definitions get their share through _SELF_SHARE instead.
        weight[self._src == self._dst] = 0.0
        ranks = _pagerank(n, self._src, self._dst, weight, personal)
        file_rank = {f: float(ranks[self._file_ids[f]]) for f in self._file_defs}
        return Ranking(file_rank, self._tag_ranks(ranks, weight, chat_ids, mentioned=hits))

    def _tag_ranks(
        self,
        ranks: np.ndarray,
        weight: np.ndarray,
        chat_ids: list[int],
        *,
        mentioned: np.ndarray | None = None,
    ) -> list[tuple[str, str, float]]:
        if not len(weight):
            return []
        import numpy as np

        n = len(self._files)
        out_weight = np.bincount(self._src, weights=weight, minlength=n)
        share = ranks[self._src] * weight / np.where(out_weight[self._src] > 0, out_weight[self._src], 1.0)
        keys = self._dst * len(self._idents) + self._ident
        uniq, inverse = np.unique(keys, return_inverse=True)
        scores = np.bincount(inverse, weights=share)
        # A file also vouches for its own definitions, so a seeded file that nobody
        # references (a mentioned one, say) still shows what it defines.
        key_file = uniq // len(self._idents)
        per_file = np.bincount(key_file, minlength=n)
        scores += _SELF_SHARE * ranks[key_file] / per_file[key_file]
        if mentioned is not None:
            # The definition of a name the user typed is what they want to see first.
            scores[mentioned[uniq % len(self._idents)]] *= _MENTION_BOOST
        order = np.argsort(-scores, kind="stable")
        chat = set(chat_ids)
        result = []
        for i in order[:MAX_TAGS]:
            file_id, ident_id = divmod(int(uniq[i]), len(self._idents))
            if file_id in chat:
                continue
            result.append((self._files[file_id], self._idents[ident_id], float(scores[i])))
        return result


def _pagerank(
    n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, personal: np.ndarray
) -> np.ndarray:
    """Power iteration; dangling files hand their rank back through `personal`."""
    import numpy as np

    out_weight = np.bincount(src, weights=weight, minlength=n) if len(src) else np.zeros(n)
    norm = weight / np.where(out_weight[src] > 0, out_weight[src], 1.0) if len(src) else weight
    dangling = out_weight == 0
    ranks = personal.copy()
    for _ in range(_ITERATIONS):
        spread = np.bincount(dst, weights=ranks[src] * norm, minlength=n) if len(src) else np.zeros(n)
        new = _DAMPING * (spread + ranks[dangling].sum() * personal) + (1 - _DAMPING) * personal
        if np.abs(new - ranks).sum() < _TOLERANCE:
            return new
        ranks = new
    return ranks
