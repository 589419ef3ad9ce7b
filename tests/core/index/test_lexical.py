"""The lexical channel: fields weighted separately (BM25F), passages, updates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.core.index import ProjectIndex
from app.core.index.lexical import FieldWeights, LexicalIndex

Tree = Callable[[dict[str, str | bytes]], Path]
FIELDS = ("path", "names", "signatures", "docs", "body")


def only(field: str, *, weight: float = 1.0) -> FieldWeights:
    return FieldWeights(weights=tuple(weight if f == field else 0.0 for f in FIELDS), b=(0.5,) * 5)


def lexical_of(index: ProjectIndex) -> LexicalIndex:
    lexical = LexicalIndex()
    lexical.set_files(index.record(f) for f in index.files())  # type: ignore[misc]
    return lexical


def test_each_field_holds_only_its_own_words(make_tree: Tree) -> None:
    root = make_tree(
        {
            "throttle/limits.py": "def budget():\n    return 1\n",
            "pool.py": 'def throttle_budget(size):\n    """Keep connections warm."""\n    return size\n',
            "notes.py": "# throttle budget\nx = 1\n",
            "calls.py": "from pool import throttle_budget\nthrottle_budget(3)\n",
        }
    )
    lexical = lexical_of(ProjectIndex.open(root, workers=1))
    words = {"throttl": 1.0}
    assert set(lexical.file_scores(words, params=only("path"))) == {"throttle/limits.py"}
    assert set(lexical.file_scores(words, params=only("names"))) == {"pool.py"}
    assert set(lexical.file_scores({"siz": 1.0}, params=only("signatures"))) == {"pool.py"}
    assert set(lexical.file_scores({"warm": 1.0}, params=only("docs"))) == {"pool.py"}
    assert set(lexical.file_scores(words, params=only("body"))) == {"pool.py", "notes.py", "calls.py"}


def test_a_word_in_a_weighted_field_outranks_the_same_word_in_a_body(make_tree: Tree) -> None:
    root = make_tree(
        {
            "lib/serializer.py": "def dump(value):\n    return str(value)\n",
            "lib/other.py": "def run():\n    # the serializer is elsewhere; serializer serializer\n    return 0\n",
        }
    )
    lexical = lexical_of(ProjectIndex.open(root, workers=1))
    words = {"serializer": 1.0}
    plain = FieldWeights(weights=(0.0, 0.0, 0.0, 0.0, 1.0), b=(0.5,) * 5)
    with_path = FieldWeights(weights=(5.0, 0.0, 0.0, 0.0, 1.0), b=(0.5,) * 5)
    by_body = lexical.file_scores(words, params=plain)
    assert max(by_body, key=by_body.__getitem__) == "lib/other.py"
    weighted = lexical.file_scores(words, params=with_path)
    assert max(weighted, key=weighted.__getitem__) == "lib/serializer.py"


def test_the_best_passage_counts_not_the_words_scattered_over_a_file(make_tree: Tree) -> None:
    filler = "".join(f"value_{i} = {i}\n" for i in range(60))
    root = make_tree(
        {
            # Both words, far apart.
            "scattered.py": "# token\n" + filler + "# refresh\n" + filler,
            # Both words in one function.
            "together.py": filler + "def refresh_token(token):\n    return token\n" + filler,
        }
    )
    lexical = lexical_of(ProjectIndex.open(root, workers=1))
    best = lexical.passage_scores(
        {"refresh": 1.0, "token": 1.0}, params=FieldWeights(weights=(1.0,), b=(0.75,))
    )
    assert best["together.py"] > best["scattered.py"]


def test_updates_reach_the_search(make_tree: Tree) -> None:
    root = make_tree({"a.py": "def alpha():\n    return 1\n"})
    index = ProjectIndex.open(root, workers=1)
    assert index.context("alpha", top=1)[0].file == "a.py"
    (root / "b.py").write_text("def zebra_crossing():\n    return 2\n")
    list(index.update_files(["b.py"]))
    assert index.context("zebra crossing", top=1)[0].file == "b.py"
    (root / "b.py").unlink()
    list(index.update_files(["b.py"]))
    assert [h.file for h in index.context("zebra crossing", top=5)] == ["a.py"]


def test_prepared_search_tables_answer_as_lazily_built_ones_and_updates_unprepare_them(
    make_tree: Tree,
) -> None:
    root = make_tree(
        {
            "pool.py": "def checkout(timeout):\n    # wait for a free connection\n    return timeout\n",
            "retry.py": "def backoff(attempt):\n    return 2 ** attempt\n",
        }
    )
    lazy = ProjectIndex.open(root, workers=1)
    prepared = ProjectIndex.open(root, workers=1)
    assert not prepared.search_prepared
    prepared.prepare_search()
    assert prepared.search_prepared
    for question in ("connection checkout timeout", "retry backoff"):
        assert prepared.context(question, top=2) == lazy.context(question, top=2)
    (root / "retry.py").write_text("def backoff(attempt, jitter):\n    return attempt + jitter\n")
    list(prepared.update_files(["retry.py"]))
    assert not prepared.search_prepared  # the next query (or prepare_search) rebuilds them
    assert prepared.context("jitter", top=1)[0].file == "retry.py"
    assert prepared.search_prepared


def test_a_cancelled_preparation_leaves_a_working_search(make_tree: Tree) -> None:
    import pytest

    from app.core.cancel import CancelToken
    from app.core.errors import Cancelled

    # 80 files: the preparation checks `cancel` between files, every 64.
    words = [f"topic{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(80)]
    root = make_tree({f"m{i}.py": f"def handle_{word}():\n    return {i}\n" for i, word in enumerate(words)})
    index = ProjectIndex.open(root, workers=1)
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        index.prepare_search(cancel=cancel)
    assert not index.search_prepared
    assert index.context(f"handle {words[7]}", top=1)[0].file == "m7.py"
