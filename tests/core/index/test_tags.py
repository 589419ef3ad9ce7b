from __future__ import annotations

from pathlib import Path

import pytest

from app.core.index import language_for_path, supported_languages, symbols_in_text
from app.core.index.tags import extract_tags
from tests.core.index.conftest import SAMPLES

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.is_file())


def test_every_supported_language_has_a_sample() -> None:
    covered = {language_for_path(p.name) for p in SAMPLE_FILES}
    assert covered == set(supported_languages())
    assert len(covered) >= 25


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_yields_definitions_and_references(sample: Path) -> None:
    language = language_for_path(sample.name)
    assert language is not None
    tags = extract_tags(sample.read_bytes(), language=language, path=sample.name)
    assert tags is not None, f"{language}: grammar or query failed to load"
    assert tags.symbols, f"{language}: no definitions"
    assert tags.references, f"{language}: no references"
    assert tags.diagnostics == ()
    for symbol in tags.symbols:
        assert 1 <= symbol.line <= symbol.end_line
        assert symbol.name in symbol.signature or language in {"hcl"}


@pytest.mark.parametrize(
    ("sample", "definition", "reference"),
    [
        ("sample.go", "NewCircle", "compute"),
        ("sample.rs", "Shape", "compute"),
        ("Sample.java", "Circle", "Base"),
        ("sample.ts", "makeCircle", "computeArea"),
        ("sample.tsx", "View", "Panel"),
        ("sample.cpp", "perimeter", "helper"),
        ("sample.rb", "Circle", "Base"),
        ("sample.kt", "Registry", "compute"),
        ("sample.hs", "HasArea", "compute"),
        ("sample.ex", "helper", "compute"),
        ("sample.zig", "area", "compute"),
    ],
)
def test_named_definition_and_reference(sample: str, definition: str, reference: str) -> None:
    language = language_for_path(sample)
    assert language is not None
    tags = extract_tags((SAMPLES / sample).read_bytes(), language=language, path=sample)
    assert tags is not None
    assert definition in {s.name for s in tags.symbols}
    assert reference in dict(tags.references)


PYTHON = '''\
import os.path
from typing import Optional
from .base import Base, Mixin as M


@register_model
@dataclass(frozen=True)
class Order(Base, M, metaclass=Registry):
    """An order."""

    total: Optional[Money] = None

    def ship(self, carrier: Carrier) -> Receipt:
        try:
            return carrier.send(self)
        except GatewayError:
            raise ShippingFailed()
'''


def test_python_references_are_richer_than_calls() -> None:
    tags = extract_tags(PYTHON.encode(), language="python", path="orders.py")
    assert tags is not None
    refs = dict(tags.references)
    expected = {
        "Optional": "import",
        "Base": "base class",
        "Mixin": "aliased import",
        "Registry": "metaclass",
        "register_model": "decorator",
        "dataclass": "decorator call",
        "Money": "annotation in a generic",
        "Carrier": "parameter annotation",
        "Receipt": "return annotation",
        "send": "method call",
        "GatewayError": "except clause",
        "ShippingFailed": "raise",
        "os": "import module",
    }
    missing = {name: why for name, why in expected.items() if name not in refs}
    assert not missing


def test_python_symbol_records() -> None:
    symbols = symbols_in_text(PYTHON, path="orders.py")
    by_name = {s.name: s for s in symbols}
    order = by_name["Order"]
    assert (order.kind, order.line, order.end_line) == ("class", 8, 17)
    assert order.signature == "class Order(Base, M, metaclass=Registry):"
    ship = by_name["ship"]
    assert (ship.kind, ship.line, ship.end_line) == ("method", 13, 17)
    assert ship.signature == "    def ship(self, carrier: Carrier) -> Receipt:"
    assert by_name["total"].kind == "field"
    assert symbols_in_text("x", path="notes.txt") == ()


def test_docstrings_and_comments_are_collected() -> None:
    tags = extract_tags(b'"""Module doc."""\n# why this exists\nx = 1\n', language="python", path="m.py")
    assert tags is not None
    assert "Module doc." in tags.doc_text
    assert "why this exists" in tags.doc_text


def test_doc_text_is_in_source_order_and_capped() -> None:
    source = '"""First."""\n# second\n\n\ndef f():\n    """Third."""\n    # fourth\n    return 1\n'
    tags = extract_tags(source.encode(), language="python", path="m.py")
    assert tags is not None
    assert tags.doc_text.splitlines() == ['"""First."""', "# second", '"""Third."""', "# fourth"]
    big = "\n".join(f"# comment number {i} " + "x" * 60 for i in range(1000)).encode()
    capped = extract_tags(big, language="python", path="big.py")
    assert capped is not None
    assert len(capped.doc_text) <= 16_000 + 1000  # the cap plus the joining newlines
    assert capped.doc_text.startswith("# comment number 0 ")
