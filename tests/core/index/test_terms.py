"""Search terms: identifiers split at `_` and camelCase, light stemming, question words."""

from __future__ import annotations

from array import array

import pytest

from app.core.index.terms import (
    query_terms,
    raw_word_terms,
    split_identifier,
    stem,
    term_table,
    text_terms,
    word_terms,
)


@pytest.mark.parametrize(
    ("token", "parts"),
    [
        ("parse_url", ["parse", "url"]),
        ("parseUrl", ["parse", "url"]),
        ("HTTPServer", ["http", "server"]),
        ("getHTTPResponseCode", ["get", "http", "response", "code"]),
        ("__init__", ["init"]),
        ("utf8_decode", ["utf", "8", "decode"]),
    ],
)
def test_identifiers_split_at_underscores_and_case_changes(token: str, parts: list[str]) -> None:
    assert split_identifier(token) == parts


@pytest.mark.parametrize(
    "words",
    [
        ("parse", "parses", "parsed", "parsing"),
        ("retry", "retries", "retried", "retrying"),
        ("cache", "caches", "cached", "caching"),
        ("cookie", "cookies"),
        ("redirect", "redirects", "redirected"),
        ("box", "boxes"),
    ],
)
def test_inflections_share_a_stem(words: tuple[str, ...]) -> None:
    assert len({stem(w) for w in words}) == 1


@pytest.mark.parametrize("word", ["status", "string", "speed", "process", "analysis", "key"])
def test_stemming_leaves_words_that_only_look_inflected(word: str) -> None:
    assert stem(word) == word


def test_a_compound_identifier_keeps_its_whole_name_as_a_term() -> None:
    assert word_terms("parse_url") == ("parse_url", "pars", "url")
    assert word_terms("parseURL") == ("parseurl", "pars", "url")
    assert word_terms("retries") == ("retri",)
    # Code and prose meet: "parsing urls" finds parse_url.
    assert set(text_terms("parsing urls")) <= set(word_terms("parse_url"))


def test_question_terms_drop_stopwords_numbers_and_links() -> None:
    terms = query_terms("Where is the retry logic? Closes #2869, see https://example.com/x or a@b.org")
    assert "retri" in terms
    assert not {"where", "is", "the", "logic", "2869", "example", "com"} & set(terms)
    assert query_terms("Fix `raise_for_status` chaining")[:3] == ["fix", "raise_for_status", "rais"]


def test_term_table_counts_each_field_and_each_passage() -> None:
    body = b"def retry():\n    pass\n" + b"\n" * 40 + b"retry = 1\n"
    words, packed = term_table(
        body, path="pkg/retry_policy.py", names=["retry"], signatures=["def retry():"], docs=""
    )
    vocabulary = words.split(b"\n")
    assert len(vocabulary) == len(set(vocabulary))
    columns = array("I")
    columns.frombytes(packed)
    groups = columns[0]
    slot_ids, sizes = columns[1 : 1 + groups], columns[1 + groups : 1 + 2 * groups]
    n = sum(sizes)
    numbers, counts = columns[1 + 2 * groups : 1 + 2 * groups + n], columns[1 + 2 * groups + n :]
    slots = [slot for slot, size in zip(slot_ids, sizes, strict=True) for _ in range(size)]
    where = {(slot, vocabulary[n]): c for slot, n, c in zip(slots, numbers, counts, strict=True)}
    # path, names, signatures, and the body in three 20-line passages (the middle one empty)
    assert {slot for slot, _ in where} == {0, 1, 2, 4, 6}
    assert where[(0, b"retry_policy")] == 1
    assert where[(1, b"retry")] == 1
    assert where[(4, b"retry")] == 1 and where[(6, b"retry")] == 1
    # Raw words travel unsplit; splitting and stemming happen once per word in the index.
    assert raw_word_terms(b"retry_policy") == ("retry_policy", "retri", "polici")
