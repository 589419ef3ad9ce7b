from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import Cancelled
from app.core.index import WalkStats, is_indexable, walk
from tests.core.index.conftest import write_tree


def paths(root: Path, stats: WalkStats | None = None, **kw: object) -> list[str]:
    return [e.path for e in walk(root, stats=stats, **kw)]  # type: ignore[arg-type]


def test_nested_gitignore_negation_and_info_exclude(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            ".gitignore": "*.log\n/generated/\n",
            "a.py": "x = 1\n",
            "debug.log": "x",
            "generated/out.py": "x",
            "pkg/generated/kept.py": "x",  # /generated/ is anchored to the root
            "pkg/.gitignore": "!important.log\nlocal_*.py\n",
            "pkg/important.log": "x",
            "pkg/local_settings.py": "x",
            "pkg/mod.py": "x",
            "other/local_settings.py": "x",  # pkg's rule does not reach here
            ".git/info/exclude": "scratch.py\n",
            ".git/config": "x",
            "scratch.py": "x",
        },
    )
    stats = WalkStats()
    assert sorted(paths(root, stats)) == [
        ".gitignore",
        "a.py",
        "other/local_settings.py",
        "pkg/.gitignore",
        "pkg/generated/kept.py",
        "pkg/important.log",
        "pkg/mod.py",
    ]
    # Ignored folders are not entered, so only the three ignored files are counted.
    assert stats.skipped["ignored"] == 3


def test_default_ignores_and_enclaveignore_overrides(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "node_modules/lib/index.js": "x",
            ".venv/lib/site.py": "x",
            "__pycache__/a.cpython-311.pyc": "x",
            "build/gen.py": "x",
            "src/app.py": "x",
            "src/big_fixture.json": "x",
            ".enclaveignore": "!build/\n*.json\n",
        },
    )
    assert paths(root) == [".enclaveignore", "build/gen.py", "src/app.py"]


def test_secret_files_are_skipped_even_when_re_included(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            ".env": "TOKEN=1",
            "deploy/id_rsa": "k",
            "certs/server.pem": "k",
            ".enclaveignore": "!.env\n",
            "ok.py": "x",
        },
    )
    stats = WalkStats()
    assert paths(root, stats) == [".enclaveignore", "ok.py"]
    assert stats.skipped["secret"] == 3
    assert not is_indexable(root, ".env")
    assert is_indexable(root, "ok.py")


def test_oversized_files_are_counted(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"small.py": "x = 1\n", "huge.py": "x = 1\n" * 1000})
    stats = WalkStats()
    assert paths(root, stats, max_file_bytes=100) == ["small.py"]
    assert stats.skipped["oversized"] == 1


def test_the_walk_stops_at_the_file_limit_and_says_so(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {f"d{i}/m{j}.py": "x = 1\n" for i in range(3) for j in range(4)})
    stats = WalkStats()
    found = paths(root, stats, max_files=5)
    # The first five in the walk's stable order, not any five.
    assert found == ["d0/m0.py", "d0/m1.py", "d0/m2.py", "d0/m3.py", "d1/m0.py"]
    assert stats.truncated
    exact = WalkStats()
    assert len(paths(root, exact, max_files=12)) == 12 and not exact.truncated


def test_symlinks_never_leave_the_project_or_loop(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret_plans.py": "x"})
    root = write_tree(tmp_path / "project", {"src/a.py": "x"})
    (root / "escape").symlink_to(outside, target_is_directory=True)
    (root / "escape_file.py").symlink_to(outside / "secret_plans.py")
    (root / "src" / "loop").symlink_to(root / "src", target_is_directory=True)
    (root / "alias.py").symlink_to(root / "src" / "a.py")
    (root / "dangling.py").symlink_to(root / "missing.py")
    stats = WalkStats()
    found = paths(root, stats)
    assert found == ["alias.py", "src/a.py"]
    assert stats.skipped["symlink_outside"] == 2
    assert stats.skipped["symlink_loop"] == 1
    assert stats.skipped["unreadable"] == 1  # the dangling link


def test_unreadable_folder_is_counted_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {"locked/a.py": "x", "open/b.py": "x"})
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        # Tests run as root here, where chmod 000 would not lock anything.
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    stats = WalkStats()
    assert paths(root, stats) == ["open/b.py"]
    assert stats.unreadable_dirs == 1


def test_cancel_stops_the_walk(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {f"d{i}/f.py": "x" for i in range(5)})
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(walk(root, cancel=token))


def test_is_indexable_follows_nested_rules(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"pkg/.gitignore": "*.tmp\n", "pkg/x.py": "x"})
    assert is_indexable(root, "pkg/x.py")
    assert not is_indexable(root, "pkg/a.tmp")
    assert not is_indexable(root, "node_modules/a.js")
    assert not is_indexable(root, "../elsewhere.py")
