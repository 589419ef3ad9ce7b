"""The file graph (referencing file -> defining file, per identifier) and personalized PageRank.

Edges are kept as flat numpy arrays so a re-rank with new seeds costs a few vector
operations; the arrays are rebuilt only after a file changes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

# An identifier defined in this many files or more says little about which one is meant
# (`__init__`, `name`, `run`); it adds no edges.
MAX_DEFINERS = 25
MAX_TAGS = 5000
_DAMPING = 0.85
_ITERATIONS = 40
_TOLERANCE = 1e-7
_WORDY = re.compile(r"[a-z0-9][_-][a-z0-9]|[a-z0-9][A-Z]")


@dataclass(frozen=True)
class Ranking:
    """File ranks and (file, identifier) tag ranks for one set of seeds."""

    file_rank: dict[str, float]
    tag_rank: list[tuple[str, str, float]]  # (defining file, identifier, score), best first


class FileGraph:
    """Identifiers defined and referenced per file; edges built lazily."""

    def __init__(self) -> None:
        self._defines: dict[str, set[str]] = {}
        self._refs: dict[str, dict[str, int]] = {}
        self._file_defs: dict[str, frozenset[str]] = {}
        self._file_refs: dict[str, tuple[str, ...]] = {}
        self._dirty = True
        self._files: list[str] = []
        self._file_ids: dict[str, int] = {}
        self._idents: list[str] = []
        self._src = np.zeros(0, dtype=np.int64)
        self._dst = np.zeros(0, dtype=np.int64)
        self._ident = np.zeros(0, dtype=np.int64)
        self._base = np.zeros(0, dtype=np.float64)

    def set_file(self, path: str, *, defines: Collection[str], references: Mapping[str, int]) -> None:
        """Replace what `path` defines and references."""
        self.remove_file(path)
        names = frozenset(defines)
        self._file_defs[path] = names
        for name in names:
            self._defines.setdefault(name, set()).add(path)
        for name, count in references.items():
            self._refs.setdefault(name, {})[path] = count
        self._file_refs[path] = tuple(references)
        self._dirty = True

    def remove_file(self, path: str) -> None:
        """Forget `path` (no-op when unknown)."""
        old = self._file_defs.pop(path, None)
        if old is None:
            return
        for name in old:
            holders = self._defines.get(name)
            if holders is not None:
                holders.discard(path)
                if not holders:
                    del self._defines[name]
        for name in self._file_refs.pop(path, ()):
            users = self._refs.get(name)
            if users is not None:
                users.pop(path, None)
                if not users:
                    del self._refs[name]
        self._dirty = True

    def definers(self, name: str) -> frozenset[str]:
        """Files that define `name`."""
        return frozenset(self._defines.get(name, ()))

    def _rebuild(self) -> None:
        files = sorted(self._file_defs)
        file_ids = {f: i for i, f in enumerate(files)}
        idents: list[str] = []
        src: list[int] = []
        dst: list[int] = []
        ident_ids: list[int] = []
        base: list[float] = []
        for name, definers in self._defines.items():
            users = self._refs.get(name)
            if not users:
                # A definition nobody uses still belongs in the map: a weak self-edge (as Aider does).
                ident_id = len(idents)
                idents.append(name)
                for definer in definers:
                    src.append(file_ids[definer])
                    dst.append(file_ids[definer])
                    ident_ids.append(ident_id)
                    base.append(0.1)
                continue
            if len(definers) >= MAX_DEFINERS:
                continue
            mul = 1.0
            if len(name) >= 8 and _WORDY.search(name):
                mul *= 10.0
            if name.startswith("_"):
                mul *= 0.1
            if len(definers) > 5:
                mul *= 0.1
            ident_id = len(idents)
            idents.append(name)
            def_ids = [file_ids[d] for d in definers]
            for user, count in users.items():
                user_id = file_ids.get(user)
                if user_id is None:
                    continue
                weight = mul * math.sqrt(count)
                for def_id in def_ids:
                    src.append(user_id)
                    dst.append(def_id)
                    ident_ids.append(ident_id)
                    base.append(weight)
        self._files, self._file_ids, self._idents = files, file_ids, idents
        self._src = np.asarray(src, dtype=np.int64)
        self._dst = np.asarray(dst, dtype=np.int64)
        self._ident = np.asarray(ident_ids, dtype=np.int64)
        self._base = np.asarray(base, dtype=np.float64)
        self._dirty = False

    def rank(
        self,
        *,
        chat_files: Collection[str] = (),
        mentions: Collection[str] = (),
        seed_files: Mapping[str, float] | None = None,
    ) -> Ranking:
        """Personalized PageRank seeded by chat files, mentioned identifiers and extra seeds."""
        if self._dirty:
            self._rebuild()
        n = len(self._files)
        if n == 0:
            return Ranking({}, [])
        mentioned = {m for m in mentions if m}
        weight = self._base.copy()
        if mentioned and len(self._idents):
            hits = np.fromiter(
                (name in mentioned for name in self._idents), dtype=bool, count=len(self._idents)
            )
            weight[hits[self._ident]] *= 10.0
        chat_ids = [self._file_ids[f] for f in chat_files if f in self._file_ids]
        if chat_ids and len(weight):
            weight[np.isin(self._src, chat_ids)] *= 50.0
        personal = np.zeros(n)
        for chat_id in chat_ids:
            personal[chat_id] += 1.0
        for name in mentioned:
            for definer in self._defines.get(name, ()):
                personal[self._file_ids[definer]] += 1.0
        for seed, seed_weight in (seed_files or {}).items():
            seed_id = self._file_ids.get(seed)
            if seed_id is not None:
                personal[seed_id] += seed_weight
        if personal.sum() <= 0:
            personal[:] = 1.0
        personal /= personal.sum()
        ranks = _pagerank(n, self._src, self._dst, weight, personal)
        file_rank = {f: float(ranks[i]) for i, f in enumerate(self._files)}
        return Ranking(file_rank, self._tag_ranks(ranks, weight, chat_ids))

    def _tag_ranks(
        self, ranks: np.ndarray, weight: np.ndarray, chat_ids: list[int]
    ) -> list[tuple[str, str, float]]:
        if not len(weight):
            return []
        n = len(self._files)
        out_weight = np.bincount(self._src, weights=weight, minlength=n)
        share = ranks[self._src] * weight / np.where(out_weight[self._src] > 0, out_weight[self._src], 1.0)
        keys = self._dst * len(self._idents) + self._ident
        uniq, inverse = np.unique(keys, return_inverse=True)
        scores = np.bincount(inverse, weights=share)
        order = np.argsort(-scores)
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
