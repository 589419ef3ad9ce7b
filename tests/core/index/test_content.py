from __future__ import annotations

from app.core.index import ProjectIndex, skip_reason
from app.core.text_file import looks_binary
from tests.core.index.conftest import write_tree


def test_binary_minified_and_text() -> None:
    assert skip_reason(b"\x89PNG\r\n\x1a\n\x00\x00") == "binary"
    assert skip_reason(b"var a=1;" * 2000) == "minified"
    assert skip_reason(b"x", name="app.min.js") == "minified"
    assert skip_reason(b"def f():\n    return 1\n" * 200) is None
    # Text in any 8-bit encoding is text; control characters are not.
    assert not looks_binary("naïve café — ünïcödé\n".encode() * 50)
    assert not looks_binary("naïve café\n".encode("latin-1") * 50)
    assert looks_binary(bytes(range(1, 32)) * 10)


def test_index_counts_skips_and_tolerates_invalid_utf8(tmp_path) -> None:
    root = write_tree(
        tmp_path,
        {
            "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00",
            "vendor.js": "function a(){return 1}" * 500,
            "latin1.py": "# caf\xe9\ndef brewed():\n    return 1\n".encode("latin-1"),
            "ok.py": "def fine():\n    pass\n",
        },
    )
    index = ProjectIndex.open(root, workers=1)
    stats = index.stats
    assert stats is not None
    assert stats.skipped == {"binary": 1, "minified": 1}
    assert stats.invalid_utf8 == 1
    assert index.files() == ["latin1.py", "ok.py"]
    assert [s.name for s in index.symbols("latin1.py")] == ["brewed"]
