"""The real app under Xvfb with the real SmolLM2 demo model: open a project, ask, keep a screenshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


def test_real_app_opens_a_project_answers_and_saves_a_screenshot(xvfb_display, demo_model, tmp_path):
    project = tmp_path / "shop"
    (project / "shop").mkdir(parents=True)
    (project / "shop" / "retry.py").write_text(
        "import time\n\n\ndef with_retry(fn, *, attempts=3, delay=0.5):\n"
        '    """Call fn, retrying on ConnectionError."""\n'
        "    for n in range(attempts):\n        try:\n            return fn()\n"
        "        except ConnectionError:\n            time.sleep(delay * (n + 1))\n"
        "    raise RuntimeError('gave up')\n",
        encoding="utf-8",
    )
    (project / "README.md").write_text("# shop\n", encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "e2e-main-window.png"
    shot.unlink(missing_ok=True)
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            str(project),
            "--screenshot",
            str(shot),
            "--ask",
            "where is the retry logic?",
            "--ask-timeout",
            "60",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["saved"] and summary["asked"]
    assert summary["project"] == str(project.resolve())
    assert summary["index"].startswith("Indexed 2 files")
    assert "Smollm2" in summary["model"] or "SmolLM2" in summary["model"]
    assert summary["answer_chars"] > 0
    assert summary["finish"] in {"stop", "cancelled", "length", "step_limit", "doom_loop"}
    assert shot.stat().st_size > 10_000
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 600
