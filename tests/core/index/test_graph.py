"""The file graph on its own: edges from references to definitions, ranks, updates."""

from __future__ import annotations

import random

from app.core.index.graph import MAX_DEFINERS, FileGraph

FILES = {
    "models.py": ({"Order", "Customer"}, {"Money": 2}),
    "money.py": ({"Money", "round_cents"}, {"round_cents": 1}),
    "checkout.py": ({"checkout"}, {"Order": 3, "Customer": 1, "Money": 1}),
    "report.py": ({"monthly_report"}, {"Order": 1, "checkout": 1}),
    "unused.py": ({"never_called"}, {}),
    # Equal-scored tags in one file: their order must not depend on which file came first.
    "consts.py": ({"alpha", "zeta"}, {}),
    "other.py": ({"zeta"}, {}),
}


def build(order: list[str]) -> FileGraph:
    graph = FileGraph()
    graph.reserve(sorted(FILES))
    for path in order:
        defines, references = FILES[path]
        graph.set_file(path, defines=defines, references=references)
    return graph


def test_ranks_follow_references_to_definitions() -> None:
    ranking = build(sorted(FILES)).rank()
    ranked = sorted(ranking.file_rank, key=lambda f: -ranking.file_rank[f])
    # Everything leads to money.py (directly and through models.py); nothing leads to report.py.
    assert ranked[0] == "money.py"
    assert ranking.file_rank["report.py"] < ranking.file_rank["models.py"]
    tags = [(f, name) for f, name, _ in ranking.tag_rank]
    assert ("money.py", "Money") in tags
    # A definition nobody uses still has a tag, ranked low.
    assert ("unused.py", "never_called") in tags
    assert tags.index(("money.py", "Money")) < tags.index(("unused.py", "never_called"))


def test_arrival_order_does_not_change_any_rank() -> None:
    # Parser workers finish in any order; the map must not depend on which came first.
    expected = build(sorted(FILES)).rank(mentions=["checkout"], chat_files=["report.py"])
    for seed in range(8):
        order = sorted(FILES)
        random.Random(seed).shuffle(order)
        assert build(order).rank(mentions=["checkout"], chat_files=["report.py"]) == expected


def test_update_and_removal_change_only_what_they_touch() -> None:
    graph = build(sorted(FILES))
    assert graph.definers("Money") == {"money.py"}
    graph.set_file("wallet.py", defines={"Money"}, references={})
    assert graph.definers("Money") == {"money.py", "wallet.py"}
    graph.remove_file("money.py")
    assert graph.definers("Money") == {"wallet.py"}
    assert graph.definers("round_cents") == frozenset()
    ranking = graph.rank()
    assert "money.py" not in ranking.file_rank
    assert ranking.file_rank["wallet.py"] > ranking.file_rank["report.py"]


def test_a_name_defined_everywhere_adds_no_edges() -> None:
    graph = FileGraph()
    for i in range(MAX_DEFINERS):
        graph.set_file(f"m{i}.py", defines={"run"}, references={})
    graph.set_file("main.py", defines={"main"}, references={"run": 5})
    ranking = graph.rank()
    # main.py's 5 uses of `run` say nothing about which file it means: no file gains from them.
    ranks = {ranking.file_rank[f"m{i}.py"] for i in range(MAX_DEFINERS)}
    assert len(ranks) == 1


def test_mentions_seed_the_definers() -> None:
    graph = build(sorted(FILES))
    plain = graph.rank()
    seeded = graph.rank(mentions=["never_called"])
    assert seeded.file_rank["unused.py"] > plain.file_rank["unused.py"]
    assert seeded.tag_rank[0][:2] == ("unused.py", "never_called")


def test_a_big_project_orders_its_names_as_sorted_does() -> None:
    import random

    from app.core.index.graph import _name_order

    rng = random.Random(7)
    alphabet = "abcXYZ_019éßΩ"
    names = list({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(30_000)})
    assert len(names) > 10_000
    assert _name_order(names) == sorted(range(len(names)), key=names.__getitem__)
    # Names that are prefixes of others, and a crowd sharing a prefix longer than the buckets go.
    names += ["a", "ab", "abc", *(f"{'p' * 12}{i:05d}" for i in range(6000)), "x" * 200]
    assert _name_order(names) == sorted(range(len(names)), key=names.__getitem__)
