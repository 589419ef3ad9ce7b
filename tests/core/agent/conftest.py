from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.agent.helpers import CALC


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "calc.py").write_text(CALC)
    (root / "README.md").write_text("# Calc\nAdds numbers.\n")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "util.py").write_text("def helper():\n    return 1\n")
    return root
