"""Editor colouring cost: typing and opening, tree-sitter against baselines in the same run.

    .venv/bin/python tests/benchmarks/bench_highlight.py [--keys 60]

For each file (this repo's own Python, concatenated to ~50 KB and ~400 KB; the design
notes as ~90 KB of Markdown), it measures in one process:

1. Typing: the longest and the median time from a keystroke (an insert at the cursor, every
   fifth one a newline) until the event loop is idle again, the colours applied. Goal: the
   longest under 50 ms (the UI stall budget).
2. Opening: `setPlainText` until the lines on screen are coloured.

Baselines: the same editor with no highlighter (plain), and the regex `CodeHighlighter` the
editor used before (no parser).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from app.ui.code_editor import CodeEditor  # noqa: E402 (after the platform is chosen)


def _python_source(size: int) -> str:
    files = sorted((REPO / "app").rglob("*.py"))
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    while len(text) < size:
        text += text
    return text[: text.rfind("\n", 0, size) + 1]


def _markdown_source(size: int) -> str:
    design = Path("/work/shared/DESIGN.md")
    base = (
        design.read_text(encoding="utf-8")
        if design.is_file()
        else (REPO / "README.md").read_text(encoding="utf-8")
    )
    base += "\n```python\ndef f(x):\n    return x  # note\n```\n"
    return (base * (size // len(base) + 1))[:size]


def _settle(app, highlighter: object) -> None:
    for _ in range(1000):
        app.processEvents()
        if not getattr(highlighter, "busy", False):
            break
    app.processEvents()


def _editor(kind: str, language: str) -> tuple[CodeEditor, object]:
    from app.ui.highlighter import CodeHighlighter, language_for
    from app.ui.syntax_highlighter import SyntaxHighlighter

    editor = CodeEditor()
    editor.resize(900, 700)
    editor.show()
    highlighter: object = None
    if kind == "tree-sitter":
        highlighter = SyntaxHighlighter(editor, language=language, dark=False)
    elif kind == "regex":
        highlighter = CodeHighlighter(editor.document(), language=language_for(f"x.{language[:2]}"))
    return editor, highlighter


def measure(app, kind: str, language: str, text: str, *, keys: int) -> tuple[float, float, float]:
    """(open seconds, longest keystroke seconds, median keystroke seconds)."""
    from PySide6.QtGui import QTextCursor

    editor, highlighter = _editor(kind, language)
    started = time.perf_counter()
    editor.setPlainText(text)
    _settle(app, highlighter)
    opened = time.perf_counter() - started
    cursor = QTextCursor(editor.document().findBlockByNumber(40))
    editor.setTextCursor(cursor)
    editor.centerCursor()
    _settle(app, highlighter)
    times = []
    for k in range(keys):
        started = time.perf_counter()
        editor.textCursor().insertText("\n" if k % 5 == 4 else "x")
        _settle(app, highlighter)
        times.append(time.perf_counter() - started)
    editor.close()
    editor.deleteLater()
    app.processEvents()
    return opened, max(times), statistics.median(times)


def main() -> int:
    """Print each file's costs with its baselines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=60)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    cases = [
        ("python", _python_source(50_000)),
        ("python", _python_source(400_000)),
        ("markdown", _markdown_source(90_000)),
    ]
    for language, text in cases:
        print(f"\n{language}, {len(text.encode()) // 1000} KB, {text.count(chr(10))} lines, {args.keys} keys")
        results = {
            kind: measure(app, kind, language, text, keys=args.keys)
            for kind in ("plain", "regex", "tree-sitter")
        }
        for kind, (opened, worst, median) in results.items():
            label = "baseline" if kind != "tree-sitter" else "this"
            print(
                f"  {kind:11} open {opened * 1000:7.1f} ms   key longest {worst * 1000:6.1f} ms"
                f"   median {median * 1000:5.1f} ms   ({label})"
            )
        plain = results["plain"]
        ts = results["tree-sitter"]
        print(
            f"  tree-sitter / plain: key median x{ts[2] / max(plain[2], 1e-6):.1f}, longest {ts[1] * 1000:.0f} ms (goal < 50)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
