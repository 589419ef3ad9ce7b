"""Loaded models are shared per module: loading is the slow part."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.runtime.local_model import LocalModel


@pytest.fixture(scope="module")
def qwen2_model(tiny_qwen2: Path) -> Iterator[LocalModel]:
    model = LocalModel.load(tiny_qwen2, n_ctx=2048)
    yield model
    model.close()


@pytest.fixture(scope="module")
def qwen3_model(tiny_qwen3: Path) -> Iterator[LocalModel]:
    model = LocalModel.load(tiny_qwen3, n_ctx=2048)
    yield model
    model.close()


@pytest.fixture(scope="module")
def smol(demo_model: Path) -> Iterator[LocalModel]:
    model = LocalModel.load(demo_model, n_ctx=4096)
    yield model
    model.close()
