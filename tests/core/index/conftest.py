"""Fixtures for the index tests: small real projects written into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent / "samples"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write a project into a fresh folder and return its root."""

    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "project", files)

    return make


SHOP = {
    "shop/__init__.py": '"""A tiny shop."""\n',
    "shop/models.py": (
        '"""Domain models."""\n'
        "from dataclasses import dataclass\n\n\n"
        "@dataclass\nclass Product:\n"
        '    """Something for sale."""\n\n'
        "    name: str\n    price_cents: int\n\n\n"
        "@dataclass\nclass CartLine:\n    product: Product\n    quantity: int\n"
    ),
    "shop/cart.py": (
        '"""The shopping cart: add products and compute totals."""\n'
        "from shop.models import CartLine, Product\n"
        "from shop.pricing import apply_discount\n\n\n"
        "class ShoppingCart:\n"
        "    def __init__(self) -> None:\n        self.lines: list[CartLine] = []\n\n"
        "    def add(self, product: Product, quantity: int = 1) -> None:\n"
        "        self.lines.append(CartLine(product, quantity))\n\n"
        "    def total_cents(self) -> int:\n"
        "        raw = sum(l.product.price_cents * l.quantity for l in self.lines)\n"
        "        return apply_discount(raw)\n"
    ),
    "shop/pricing.py": (
        '"""Discount rules."""\n\n\n'
        "def apply_discount(cents: int) -> int:\n"
        "    # Orders above 100 EUR get ten percent off.\n"
        "    return cents * 9 // 10 if cents > 10_000 else cents\n"
    ),
    "shop/retry.py": (
        '"""Retry with exponential backoff for flaky payment gateways."""\n'
        "import time\n\n\n"
        "def retry_with_backoff(call, attempts: int = 3):\n"
        "    for attempt in range(attempts):\n"
        "        try:\n            return call()\n"
        "        except ConnectionError:\n            time.sleep(2**attempt)\n"
        "    raise RuntimeError('gave up')\n"
    ),
    "README.md": "# Shop\n",
}


@pytest.fixture
def shop(make_tree: Callable[[dict[str, str | bytes]], Path]) -> Path:
    """A small Python project with a clear reference graph."""
    return make_tree(dict(SHOP))
