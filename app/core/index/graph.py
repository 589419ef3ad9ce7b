"""The file graph (referencing file -> defining file, per identifier) and personalized PageRank.

A file is held as three tuples of ints: the identifiers it defines, those it references and
how often. Edges are rebuilt from these in one vectorised pass whenever the graph changed
(tens of milliseconds for sqlalchemy), so a cold build and a one-file update run the same code,
and PageRank runs on flat numpy arrays (a re-rank with new seeds is a few vector operations).

Identifier and file ids are assigned as names and files arrive, but everything the ranks
depend on is put in a canonical order first (files by id, which a build reserves in path
order; identifiers by name), so ranks and ties do not depend on which parser worker
finished first.

The per-file tables hold tuples of ints and strings only: the garbage collector stops
tracking those once it has seen them, so a big project's graph adds almost nothing to a
full collection (which holds the GIL: a visible UI stall while a background thread indexes).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Collection, Iterable, Mapping
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
_UNUSED_DEFINITION = 0.1
_ITERATIONS = 40
_TOLERANCE = 1e-7
# Names sorted in one call at most (a few ms of GIL), and how deep _name_order buckets.
_SORT_IN_ONE_CALL = 4096
_MAX_BUCKET_DEPTH = 8
_WORDY = re.compile(r"[a-z0-9][_-][a-z0-9]|[a-z0-9][A-Z]")


def load_ranker() -> None:
    """Import numpy now (the first rank needs it), e.g. while parser workers are busy."""
    import numpy  # noqa: F401


@dataclass(frozen=True)
class Ranking:
    """File ranks and (file, identifier) tag ranks for one set of seeds."""

    file_rank: dict[str, float]
    tag_rank: list[tuple[str, str, float]]  # (defining file, identifier, score), best first


def _name_order(names: list[str], ids: list[int] | None = None, *, depth: int = 1) -> list[int]:
    """The ids of `names` in name order (code point order, as `sorted` gives).

    For a big project (~100k names) one `sorted` call holds the GIL for most of 100 ms,
    which the GUI thread waits out (so would numpy: building its unicode array holds it as
    long). The names are bucketed by their first characters in a Python loop, which hands
    the GIL over every few milliseconds, and only small buckets are sorted in one call.
    Buckets in key order give the same order as one sort: names whose keys differ differ
    within the key, and a key shorter than `depth` is the whole name, a prefix of the
    longer names in the buckets after it.
    """
    ids = list(range(len(names))) if ids is None else ids
    if len(ids) <= _SORT_IN_ONE_CALL or depth > _MAX_BUCKET_DEPTH:
        return sorted(ids, key=names.__getitem__)
    buckets: dict[str, list[int]] = {}
    for i in ids:
        key = names[i][:depth]
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [i]
        else:
            bucket.append(i)
    out: list[int] = []
    for key in sorted(buckets):
        bucket = buckets[key]
        # A key shorter than `depth` is a whole name: its bucket needs no sorting.
        out.extend(bucket if len(key) < depth else _name_order(names, bucket, depth=depth + 1))
    return out


def name_weight(name: str) -> float:
    """How much a reference to `name` says: long compound names a lot, private names little."""
    weight = 1.0
    if len(name) >= 8 and _WORDY.search(name):
        weight *= 10.0
    if name.startswith("_"):
        weight *= 0.1
    return weight


class FileGraph:
    """Identifiers defined and referenced per file; edges rebuilt from them when ranked."""

    def __init__(self) -> None:
        # File and identifier ids are never reused, so a file's tuples stay valid.
        self._files: list[str] = []
        self._file_ids: dict[str, int] = {}
        # Names are numbered in arrival order; the dict's order is that order, so it is
        # also the id -> name table. Kept free of lists of objects on purpose: the cycle
        # collector's full pass would visit every element of a 100k-name list (a cache miss
        # each, ~10 ms), on the GUI thread; a dict of strings and an array it skips.
        self._name_ids: dict[str, int] = {}
        self._name_weights = array("d")
        self._defs: dict[int, tuple[int, ...]] = {}
        self._refs: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        # Caches, dropped where their inputs change: the name order when a name is added,
        # the flat arrays when a file is set or removed.
        self._order: _NameOrder | None = None
        self._flat: _Flat | None = None

    def reserve(self, paths: Iterable[str]) -> None:
        """Give `paths` their ids now, in this order (a build passes them sorted)."""
        for path in paths:
            if path not in self._file_ids:
                self._file_ids[path] = len(self._files)
                self._files.append(path)

    def set_file(self, path: str, *, defines: Collection[str], references: Mapping[str, int]) -> None:
        """Replace what `path` defines and references."""
        self.reserve((path,))
        file_id = self._file_ids[path]
        ids = self._name_ids
        for name in [n for n in chain(defines, references) if n not in ids]:
            if name not in ids:  # a name both defined and referenced here comes twice
                ids[name] = len(ids)
                self._name_weights.append(name_weight(name))
                self._order = None
        # C-level lookups: this runs in the main process for every file while workers parse.
        self._defs[file_id] = tuple(set(map(ids.__getitem__, defines)))
        self._refs[file_id] = (tuple(map(ids.__getitem__, references)), tuple(references.values()))
        self._flat = None

    def remove_file(self, path: str) -> None:
        """Forget `path` (no-op when unknown)."""
        file_id = self._file_ids.get(path)
        if file_id is not None and self._defs.pop(file_id, None) is not None:
            del self._refs[file_id]
            self._flat = None

    def definers(self, name: str) -> frozenset[str]:
        """Files that define `name`."""
        name_id = self._name_ids.get(name)
        if name_id is None:
            return frozenset()
        flat = self._refresh()
        return frozenset(self._files[f] for f in flat.definers(int(flat.order.rank_of[name_id])))

    def _refresh(self) -> _Flat:
        if self._flat is not None:
            return self._flat
        import numpy as np

        if self._order is None:
            names = list(self._name_ids)
            order = _name_order(names)
            rank_of = np.empty(len(order), dtype=np.int64)
            rank_of[order] = np.arange(len(order))
            self._order = _NameOrder(
                rank_of=rank_of,
                idents=tuple([names[i] for i in order]),
                weights=np.frombuffer(self._name_weights, dtype=np.float64)[order],
            )
        rank_of = self._order.rank_of
        live = sorted(self._defs)  # by file id: a canonical edge order
        defs = [self._defs[f] for f in live]
        refs = [self._refs[f] for f in live]
        self._flat = _flatten(
            live=np.array(live, dtype=np.int64),
            def_file=np.repeat(np.array(live, dtype=np.int64), [len(d) for d in defs]),
            def_ident=rank_of[np.fromiter(chain.from_iterable(defs), dtype=np.int64)],
            ref_file=np.repeat(np.array(live, dtype=np.int64), [len(r[0]) for r in refs]),
            ref_ident=rank_of[np.fromiter(chain.from_iterable(r[0] for r in refs), dtype=np.int64)],
            ref_count=np.fromiter(chain.from_iterable(r[1] for r in refs), dtype=np.float64),
            order=self._order,
        )
        return self._flat

    def rank(
        self,
        *,
        chat_files: Collection[str] = (),
        mentions: Collection[str] = (),
        seed_files: Mapping[str, float] | None = None,
    ) -> Ranking:
        """Personalized PageRank seeded by chat files, mentioned identifiers and extra seeds."""
        import numpy as np

        flat = self._refresh()
        n = len(self._files)
        if not len(flat.live):
            return Ranking({}, [])
        live = np.zeros(n, dtype=bool)
        live[flat.live] = True
        mentioned = sorted({self._name_ids[m] for m in mentions if m in self._name_ids})
        weight = flat.base.copy()
        hits: np.ndarray | None = None
        if mentioned:
            hits = np.zeros(len(flat.order.idents), dtype=bool)
            hits[flat.order.rank_of[mentioned]] = True
            weight[hits[flat.ident]] *= 10.0
        chat_ids = [self._file_ids[f] for f in chat_files if f in self._file_ids and live[self._file_ids[f]]]
        if chat_ids and len(weight):
            weight[np.isin(flat.src, chat_ids)] *= 50.0
        personal = np.zeros(n)
        for chat_id in chat_ids:
            personal[chat_id] += 1.0
        for name_id in mentioned:
            for definer in flat.definers(int(flat.order.rank_of[name_id])):
                personal[definer] += 1.0
        for seed, seed_weight in (seed_files or {}).items():
            seed_id = self._file_ids.get(seed)
            if seed_id is not None and live[seed_id]:
                personal[seed_id] += seed_weight
        if personal.sum() <= 0:
            personal[live] = 1.0
        personal /= personal.sum()
        # Self-loops (a file using its own definitions, or the placeholder edge of an unused
        # definition) would trap rank in the file; they only give tags a key, and a file's
        # own definitions get their share through _SELF_SHARE instead.
        weight[flat.src == flat.dst] = 0.0
        ranks = _pagerank(n, flat.src, flat.dst, weight, personal)
        file_rank = {self._files[f]: float(ranks[f]) for f in flat.live}
        return Ranking(file_rank, self._tag_ranks(flat, ranks, weight, chat_ids, mentioned=hits))

    def _tag_ranks(
        self,
        flat: _Flat,
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
        n_idents = len(flat.order.idents)
        src = flat.src
        out_weight = np.bincount(src, weights=weight, minlength=n)
        share = ranks[src] * weight / np.where(out_weight[src] > 0, out_weight[src], 1.0)
        uniq = flat.tag_keys
        scores = np.bincount(flat.tag_of_edge, weights=share, minlength=len(uniq))
        # A file also vouches for its own definitions, so a seeded file that nobody
        # references (a mentioned one, say) still shows what it defines.
        key_file = uniq // n_idents
        per_file = np.bincount(key_file, minlength=n)
        scores += _SELF_SHARE * ranks[key_file] / per_file[key_file]
        if mentioned is not None:
            # The definition of a name the user typed is what they want to see first.
            scores[mentioned[uniq % n_idents]] *= _MENTION_BOOST
        order = np.argsort(-scores, kind="stable")
        chat = set(chat_ids)
        result = []
        for i in order[:MAX_TAGS]:
            file_id, ident_id = divmod(int(uniq[i]), n_idents)
            if file_id in chat:
                continue
            result.append((self._files[file_id], flat.order.idents[ident_id], float(scores[i])))
        return result


@dataclass(frozen=True)
class _NameOrder:
    """Every identifier numbered by name order: the canonical order ranks are computed in."""

    rank_of: np.ndarray  # identifier id (arrival order) -> number in name order
    idents: tuple[str, ...]  # names in name order (a tuple of strings: the collector skips it)
    weights: np.ndarray  # name_weight() of each, in name order


@dataclass(frozen=True)
class _Flat:
    """The graph as flat arrays, identifiers numbered as in `order`."""

    live: np.ndarray  # file ids with a record, ascending
    src: np.ndarray
    dst: np.ndarray
    ident: np.ndarray
    base: np.ndarray  # edge weights before seeding
    def_file: np.ndarray  # definitions sorted by (identifier, file)
    def_start: np.ndarray  # per identifier: where its definers start in def_file
    def_count: np.ndarray  # per identifier: how many files define it
    order: _NameOrder
    # Tags are (defining file, identifier) pairs, keyed dst * len(idents) + ident: the
    # sorted keys and each edge's tag, fixed until the graph changes (not per rank).
    tag_keys: np.ndarray
    tag_of_edge: np.ndarray

    def definers(self, ident: int) -> list[int]:
        start = int(self.def_start[ident])
        return [int(f) for f in self.def_file[start : start + int(self.def_count[ident])]]


def _flatten(
    *,
    live: np.ndarray,
    def_file: np.ndarray,
    def_ident: np.ndarray,
    ref_file: np.ndarray,
    ref_ident: np.ndarray,
    ref_count: np.ndarray,
    order: _NameOrder,
) -> _Flat:
    """Join references to definitions: one edge per (referencing file, defining file, identifier)."""
    import numpy as np

    n_idents = len(order.idents)
    by_name = np.lexsort((def_file, def_ident))
    def_file, def_ident = def_file[by_name], def_ident[by_name]
    def_count = np.bincount(def_ident, minlength=n_idents)
    def_start = np.cumsum(def_count) - def_count
    used = np.bincount(ref_ident, minlength=n_idents) > 0
    weights = order.weights * np.where(def_count > 5, 0.1, 1.0)
    # A reference points at every file that defines the name, unless too many do.
    definers = def_count[ref_ident]
    keep = (definers > 0) & (definers < MAX_DEFINERS)
    ref_file, ref_ident, ref_count, fan = ref_file[keep], ref_ident[keep], ref_count[keep], definers[keep]
    nth = np.arange(int(fan.sum())) - np.repeat(np.cumsum(fan) - fan, fan)
    ident = np.repeat(ref_ident, fan)
    # A definition nobody uses still belongs in the map: a weak self-edge (as Aider does).
    unused = ~used[def_ident]
    dst = np.concatenate([def_file[def_start[ident] + nth], def_file[unused]])
    ident = np.concatenate([ident, def_ident[unused]])
    tag_keys, tag_of_edge = np.unique(dst * max(n_idents, 1) + ident, return_inverse=True)
    return _Flat(
        live=live,
        src=np.concatenate([np.repeat(ref_file, fan), def_file[unused]]),
        dst=dst,
        ident=ident,
        base=np.concatenate(
            [
                np.repeat(weights[ref_ident] * np.sqrt(ref_count), fan),
                np.full(int(unused.sum()), _UNUSED_DEFINITION),
            ]
        ),
        def_file=def_file,
        def_start=def_start,
        def_count=def_count,
        order=order,
        tag_keys=tag_keys,
        tag_of_edge=tag_of_edge.reshape(-1),
    )


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
