"""ProjectIndex: the in-memory index of one project (symbols, graph, lexical channel)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.errors import EnclaveError
from app.core.index.budget import PARSE_BUDGET_REASON
from app.core.index.file_kinds import implementation_first
from app.core.index.graph import FileGraph, Ranking, load_ranker
from app.core.index.ignore import IGNORE_FILES
from app.core.index.languages import language_for_path
from app.core.index.lexical import LexicalIndex
from app.core.index.parse import FileJob, index_batch, index_file
from app.core.index.parser_pool import PARALLEL_MIN_BYTES, ParserPool
from app.core.index.records import (
    FileChanged,
    FileRecord,
    IndexDone,
    IndexEvent,
    IndexProgress,
    IndexStarted,
    IndexStats,
    RankedFile,
    Symbol,
    SyntaxDiagnostic,
)
from app.core.index.repo_map import LayoutCache, TokenCounter, estimate_tokens, render_outline
from app.core.index.retrieval import DEFAULT_OPTIONS, RankingOptions, rank_context
from app.core.index.walk import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES, WalkStats, is_indexable, walk

logger = logging.getLogger(__name__)

_BATCH = 24
# Background parser workers yield the CPU to the app's own threads (CFS weight ~1:10).
_BACKGROUND_NICENESS = 10


class ProjectIndex:
    """Everything Enclave knows about one project's code, held in memory only.

    Thread-safe: a watcher thread may update it while another thread queries it.

    `workers` caps the parser processes (default: the usable cores); a project under 4 MB
    of source, or `workers=1`, is parsed in this process. With `background=True` (a UI
    building on a worker thread) files are always parsed in worker processes at a lower
    CPU priority: tree-sitter holds the GIL while it parses a file, so parsing here would
    stall the caller's other threads, and busy workers on every core would too.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        workers: int | None = None,
        background: bool = False,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        max_files: int | None = DEFAULT_MAX_FILES,
        extra_ignores: tuple[str, ...] = (),
    ) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise EnclaveError(f"not a folder: {root}")
        self._workers = max(1, workers if workers is not None else _cpu_count())
        self._background = background
        self._max_file_bytes = max_file_bytes
        self._max_files = max_files
        self._extra_ignores = extra_ignores
        self._lock = threading.RLock()
        self._records: dict[str, FileRecord] = {}
        self._graph = FileGraph()
        # Built by prepare_search() or the first question, not during build(): the map does not need it.
        self._lexical: LexicalIndex | None = None
        self._base_ranking: Ranking | None = None
        self._layouts: LayoutCache = {}
        self._stats: IndexStats | None = None

    @classmethod
    def open(
        cls, root: str | os.PathLike[str], *, cancel: CancelToken | None = None, **options: object
    ) -> ProjectIndex:
        """Build an index and return it once complete (for scripts and the CLI)."""
        index = cls(root, **options)  # type: ignore[arg-type]
        for _ in index.build(cancel=cancel):
            pass
        return index

    # ---------------------------------------------------------------- building
    def build(self, *, cancel: CancelToken | None = None) -> Iterator[IndexEvent]:
        """Walk and parse the whole project, yielding progress; ends with `IndexDone`.

        Raises:
            Cancelled: `cancel` was set; the index keeps what it had before.

        """
        cancel = cancel or CancelToken()
        started = time.perf_counter()
        walk_stats = WalkStats()
        records: dict[str, FileRecord] = {}
        pool: ParserPool | None = None
        try:
            jobs: list[FileJob] = []
            source_bytes = 0
            for e in walk(
                self.root,
                cancel=cancel,
                stats=walk_stats,
                max_file_bytes=self._max_file_bytes,
                max_files=self._max_files,
                extra_ignores=self._extra_ignores,
            ):
                jobs.append((e.path, str(e.abspath), e.size, e.mtime_ns))
                if pool is None and self._workers > 1 and not self._background:
                    if language_for_path(e.path):
                        source_bytes += e.size
                    if source_bytes >= PARALLEL_MIN_BYTES:
                        pool = ParserPool(self._workers)  # warms up while the walk goes on
            if self._background:
                # Started after the walk: a UI is busiest right when it asked for the build,
                # and starting interpreters then would compete with it for the cores.
                pool = ParserPool(self._workers, niceness=_BACKGROUND_NICENESS)
            yield IndexStarted(root=str(self.root), total=len(jobs))
            skipped: Counter[str] = Counter(walk_stats.skipped)
            # Files join the graph as their records arrive (while workers parse the rest);
            # ids in path order keep ranks independent of which worker finished first.
            graph = FileGraph()
            graph.reserve(sorted(job[0] for job in jobs))
            for done, (path, result) in enumerate(self._run_jobs(jobs, pool=pool, cancel=cancel), start=1):
                if isinstance(result, str):
                    skipped[result] += 1
                    if result == PARSE_BUDGET_REASON:
                        logger.warning("skipped %r: parsing it took longer than its time budget", path)
                else:
                    records[path] = result
                    _add_to_graph(graph, result)
                if done == 1:
                    # After the workers forked (numpy starts a thread), while they parse.
                    load_ranker()
                if done % 25 == 0 or done == len(jobs):
                    yield IndexProgress(done=done, total=len(jobs), path=path)
            cancel.raise_if_cancelled()
        finally:
            if pool is not None:
                pool.close()
        workers = pool.workers if pool is not None else 1
        records = dict(sorted(records.items()))
        with self._lock:
            self._records = records
            self._graph = graph
            self._lexical = None
            self._base_ranking = None
            self._stats = _stats(
                records,
                walk_stats=walk_stats,
                skipped=skipped,
                seconds=time.perf_counter() - started,
                workers=workers,
                max_files=self._max_files,
            )
            stats = self._stats
        logger.info("indexed %d files in %.2fs with %d workers", len(records), stats.seconds, workers)
        yield IndexDone(stats=stats)

    def _run_jobs(
        self, jobs: list[FileJob], *, pool: ParserPool | None, cancel: CancelToken
    ) -> Iterator[tuple[str, FileRecord | str]]:
        if pool is None:
            for start in range(0, len(jobs), _BATCH):
                cancel.raise_if_cancelled()
                # `stop` reaches into a long parse too: a cancel does not wait for the file.
                yield from index_batch(jobs[start : start + _BATCH], stop=lambda: cancel.cancelled)
            return
        done: set[str] = set()
        try:
            for path, result in pool.parse(jobs, cancel=cancel):
                done.add(path)
                yield path, result
        except BrokenProcessPool:
            # A worker died, or could not start (a script without the `if __name__ ==
            # "__main__"` guard, a frozen app without freeze_support()): finish here.
            logger.warning(
                "parser pool failed after %d of %d files; continuing in-process", len(done), len(jobs)
            )
            rest = [job for job in jobs if job[0] not in done]
            yield from self._run_jobs(rest, pool=None, cancel=cancel)

    # ---------------------------------------------------------------- updates
    def update_files(
        self, paths: Iterable[str], *, cancel: CancelToken | None = None
    ) -> Iterator[FileChanged]:
        """Re-read changed, added or deleted files (project-relative) and refresh ranks."""
        for rel in paths:
            if cancel is not None:
                cancel.raise_if_cancelled()
            event = self._update_one(rel.replace("\\", "/").strip("/"))
            if event is not None:
                yield event

    def _update_one(self, rel: str) -> FileChanged | None:
        abspath = self.root / rel
        record: FileRecord | str | None = None
        if is_indexable(self.root, rel, extra_ignores=self._extra_ignores) and abspath.is_file():
            try:
                st = abspath.stat()
                if st.st_size <= self._max_file_bytes and abspath.resolve().is_relative_to(self.root):
                    record = index_file((rel, str(abspath), st.st_size, st.st_mtime_ns))
            except OSError:
                record = None
        with self._lock:
            existed = rel in self._records
            if not isinstance(record, FileRecord):
                if not existed:
                    return None
                del self._records[rel]
                self._graph.remove_file(rel)
                if self._lexical is not None:
                    self._lexical.remove(rel)
                self._base_ranking = None
                return FileChanged(path=rel, change="deleted", symbols=0)
            self._records[rel] = record
            _add_to_graph(self._graph, record)
            if self._lexical is not None:
                self._lexical.set_files([record])
            self._base_ranking = None
        return FileChanged(
            path=rel,
            change="modified" if existed else "added",
            symbols=len(record.symbol_rows),
            diagnostics=record.diagnostics,
        )

    def watch(self, *, cancel: CancelToken, debounce_s: float = 0.15) -> Iterator[FileChanged]:
        """Follow the project on disk until `cancel` is set, yielding one event per changed file."""
        from app.core.index.watcher import watch_changes

        for batch in watch_changes(self.root, cancel=cancel, debounce_s=debounce_s):
            if not batch:
                # Watching from now on: files saved between the build's walk and now were
                # seen by neither, so compare with a fresh walk once.
                yield from self.rescan(cancel=cancel)
            elif any(_changes_ignores(path) for path in batch):
                # New ignore rules can hide or reveal any file: compare with a fresh walk.
                yield from self.rescan(cancel=cancel)
            else:
                yield from self.update_files(batch)

    def rescan(self, *, cancel: CancelToken | None = None) -> Iterator[FileChanged]:
        """Walk again and re-index only what differs (after a branch switch, new ignore rules...)."""
        seen: dict[str, tuple[int, int]] = {
            e.path: (e.size, e.mtime_ns)
            for e in walk(
                self.root,
                cancel=cancel,
                max_file_bytes=self._max_file_bytes,
                max_files=self._max_files,
                extra_ignores=self._extra_ignores,
            )
        }
        with self._lock:
            known = {path: (r.size, r.mtime_ns) for path, r in self._records.items()}
        changed = [p for p, stamp in seen.items() if known.get(p) != stamp]
        gone = [p for p in known if p not in seen]
        yield from self.update_files(sorted(changed + gone), cancel=cancel)

    # ---------------------------------------------------------------- queries
    @property
    def stats(self) -> IndexStats | None:
        """The last full build's summary (None before the first build)."""
        return self._stats

    def files(self) -> list[str]:
        """Every indexed file, project-relative, sorted."""
        with self._lock:
            return list(self._records)

    def record(self, path: str) -> FileRecord | None:
        """What the index holds for one file."""
        with self._lock:
            return self._records.get(path)

    def symbols(self, file: str | None = None) -> list[Symbol]:
        """All definitions, or those of one file, in file then line order."""
        with self._lock:
            if file is not None:
                record = self._records.get(file.replace("\\", "/"))
                return list(record.symbols) if record else []
            return [s for r in self._records.values() for s in r.symbols]

    def find_symbol(self, name: str) -> list[Symbol]:
        """Definitions named `name` anywhere in the project."""
        with self._lock:
            return [
                s
                for f in sorted(self._graph.definers(name))
                for s in self._records[f].symbols
                if s.name == name
            ]

    def diagnostics(self, path: str) -> tuple[SyntaxDiagnostic, ...]:
        """Syntax errors tree-sitter found in one indexed file (as last read)."""
        record = self.record(path)
        return record.diagnostics if record else ()

    def rank(self, *, chat_files: Collection[str] = (), mentions: Collection[str] = ()) -> Ranking:
        """Personalized PageRank over the file graph (the unseeded ranking is cached)."""
        with self._lock:
            if not chat_files and not mentions:
                if self._base_ranking is None:
                    self._base_ranking = self._graph.rank()
                return self._base_ranking
            return self._graph.rank(
                chat_files=chat_files, mentions=mentions, seed_files=self._mentioned_files(mentions)
            )

    def _mentioned_files(self, mentions: Collection[str]) -> dict[str, float]:
        """Files named by a mention: the exact path, or a basename / stem of 5+ characters."""
        wanted = {m for m in mentions if m}
        if not wanted:
            return {}
        seeds: dict[str, float] = {}
        for path in self._records:
            name = path.rsplit("/", 1)[-1]
            stem = name.split(".", 1)[0]
            if path in wanted or name in wanted or (len(stem) >= 5 and stem in wanted):
                seeds[path] = 1.0
        return seeds

    def repo_map(
        self,
        *,
        tokens: int = 1024,
        chat_files: Collection[str] = (),
        mentions: Collection[str] = (),
        count_tokens: TokenCounter = estimate_tokens,
    ) -> str:
        """An outline of the most relevant definitions that fits `tokens` (chat files left out)."""
        ranking = self.rank(chat_files=chat_files, mentions=mentions)
        with self._lock:
            records = dict(self._records)
            # Files the user pointed at (or that define a name they typed) keep their place.
            named = {*chat_files, *self._mentioned_files(mentions)}
            named.update(f for m in mentions for f in self._graph.definers(m))
        # Implementation first here too: the map shows the code before its tests and examples.
        ranked_files = implementation_first(
            sorted(records, key=lambda f: -ranking.file_rank.get(f, 0.0)), named=named
        )
        tags = implementation_first(ranking.tag_rank, path_of=_tag_file, named=named)
        return render_outline(
            tags,
            records=records,
            ranked_files=ranked_files,
            tokens=tokens,
            count_tokens=count_tokens,
            exclude=chat_files,
            layout_cache=self._layouts,
        )

    def prepare_search(self, *, cancel: CancelToken | None = None) -> None:
        """Build the search tables now (after a build), so the first `context` query only ranks.

        The index's lock is held only to pick up the records, so other queries go on
        meanwhile. A `context` query that comes meanwhile waits for the tables (holding the
        index's lock, as it would while building them itself), rather than building them twice.

        Raises:
            Cancelled: `cancel` was set.

        """
        with self._lock:
            lexical = self._lexical_index()
        lexical.prepare(cancel=cancel)

    @property
    def search_prepared(self) -> bool:
        """Whether a `context` query would find the search tables built."""
        with self._lock:
            return self._lexical is not None and self._lexical.prepared

    def _lexical_index(self) -> LexicalIndex:
        with self._lock:
            if self._lexical is None:
                lexical = LexicalIndex()
                lexical.set_files(self._records.values())
                self._lexical = lexical
            return self._lexical

    def context(
        self,
        question: str,
        *,
        top: int = 5,
        chat_files: Collection[str] = (),
        options: RankingOptions = DEFAULT_OPTIONS,
    ) -> list[RankedFile]:
        """Files (with their relevant symbols) ranked for a question, implementation first.

        File- and symbol-level BM25F fused; the graph's PageRank (seeded by `chat_files`)
        breaks ties. `options` switches signals (the ablation benchmark uses it).
        """
        with self._lock:
            lexical = self._lexical_index()
            return rank_context(
                question,
                records=self._records,
                graph=self._graph,
                lexical=lexical,
                top=top,
                prior=lambda: self.rank(chat_files=chat_files).file_rank,
                options=options,
            )

    def ranked_files(self, *, question: str = "") -> list[str]:
        """Every indexed file, implementation first, then by PageRank (the @-mention order)."""
        ranking = self.rank()
        with self._lock:
            files = sorted(self._records, key=lambda f: (-ranking.file_rank.get(f, 0.0), f))
        return implementation_first(files, question=question)


def _tag_file(tag: tuple[str, str, float]) -> str:
    return tag[0]


def _changes_ignores(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in IGNORE_FILES or path == ".git/info/exclude"


def _add_to_graph(graph: FileGraph, record: FileRecord) -> None:
    graph.set_file(
        record.path, defines={row[0] for row in record.symbol_rows}, references=dict(record.references)
    )


def _stats(
    records: dict[str, FileRecord],
    *,
    walk_stats: WalkStats,
    skipped: Counter[str],
    seconds: float,
    workers: int,
    max_files: int | None,
) -> IndexStats:
    languages: Counter[str] = Counter(r.language for r in records.values() if r.language)
    return IndexStats(
        files_seen=walk_stats.files_seen,
        files_indexed=len(records),
        files_parsed=sum(1 for r in records.values() if r.parsed),
        skipped=dict(skipped),
        symbols=sum(len(r.symbol_rows) for r in records.values()),
        references=sum(c for r in records.values() for _, c in r.references),
        languages=dict(languages),
        invalid_utf8=sum(1 for r in records.values() if r.invalid_utf8),
        unreadable=skipped.get("unreadable", 0),
        seconds=seconds,
        workers=workers,
        truncated=walk_stats.truncated,
        max_files=max_files,
    )


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)
