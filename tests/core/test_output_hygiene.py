"""Hostile file names: no raw control character reaches a terminal, JSON stays UTF-8, and
the model reads a name with a newline as one name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands.output import emit_json, emit_jsonl, escape_name, say, terminal_text, warn
from app.core.agent import Mode
from app.core.names import quote_name
from tests.core.agent.helpers import call, run_turn

ESC_NAME = "e\x1b[31m.py"  # would turn the terminal red
NEWLINE_NAME = "a\nb.py"  # would read as two entries, `a` and `b.py`
BAD_BYTE_NAME = os.fsdecode(b"\xff.py")  # not UTF-8: a lone surrogate, "\udcff.py"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "ok.py").write_text("def plain_fn():\n    return 0\n")
    names = {ESC_NAME: "red_fn", NEWLINE_NAME: "newline_fn", BAD_BYTE_NAME: "byte_fn"}
    for name, fn in names.items():
        try:
            # Written through the bytes form: the same bytes `ls` would list.
            with open(os.path.join(os.fsencode(root), os.fsencode(name)), "w") as f:
                f.write(f"def {fn}():\n    return 1\n")
        except OSError as exc:  # a file system that refuses such names (APFS, NTFS)
            pytest.skip(f"cannot create {name!r} here: {exc}")
    return root


def enclave(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc


# ------------------------------------------------------------------ the CLI, end to end
def test_symbols_text_escapes_control_characters(hostile: Path) -> None:
    out = enclave("symbols", str(hostile), "--max-files", "10").stdout
    assert b"\x1b" not in out
    lines = out.decode("utf-8").splitlines()  # strict: a raw 0xFF would fail here
    assert sorted(lines) == sorted(
        [
            "ok.py:1  function   plain_fn",
            "e\\x1b[31m.py:1  function   red_fn",
            "a\\nb.py:1  function   newline_fn",  # one line, not two
            "\\xff.py:1  function   byte_fn",  # the byte as it is on disk
        ]
    )


def test_symbols_json_is_valid_utf8_and_gives_back_the_real_names(hostile: Path) -> None:
    # A Latin-1 locale must not change the encoding of JSON either.
    out = enclave("symbols", str(hostile), "--json", env={"PYTHONIOENCODING": "latin-1"}).stdout
    assert b"\x1b" not in out and b"\xff" not in out
    rows = json.loads(out.decode("utf-8"))
    assert "\\udcff.py" in out.decode("utf-8")  # written as an escape, not as byte 0xFF
    by_name = {os.fsencode(row["file"]): row["name"] for row in rows}
    assert by_name == {
        b"ok.py": "plain_fn",
        b"e\x1b[31m.py": "red_fn",
        b"a\nb.py": "newline_fn",
        b"\xff.py": "byte_fn",
    }


def test_context_text_and_json(hostile: Path) -> None:
    text = enclave("context", str(hostile), "red_fn newline_fn byte_fn", "--top", "4").stdout
    assert b"\x1b" not in text
    shown = [line.split()[1] for line in text.decode("utf-8").splitlines()]
    assert {"e\\x1b[31m.py", "a\\nb.py", "\\xff.py"} <= set(shown)
    out = enclave("context", str(hostile), "red_fn newline_fn byte_fn", "--top", "4", "--json").stdout
    files = {os.fsencode(hit["file"]) for hit in json.loads(out.decode("utf-8"))}
    assert {b"e\x1b[31m.py", b"a\nb.py", b"\xff.py"} <= files


def test_the_map_quotes_odd_names_as_the_model_sees_them(hostile: Path) -> None:
    out = enclave("map", str(hostile), "--tokens", "400").stdout
    assert b"\x1b" not in out
    text = out.decode("utf-8")
    assert '"a\\nb.py":' in text.splitlines()
    assert '"e\\u001b[31m.py":' in text.splitlines() and '"\\udcff.py":' in text.splitlines()
    assert "ok.py:" in text.splitlines()  # a plain name stays bare


def test_index_json_with_odd_names_is_valid(hostile: Path) -> None:
    report = json.loads(enclave("index", str(hostile), "--json").stdout.decode("utf-8"))
    assert report["files_indexed"] == 4


# ------------------------------------------------------------------ the output layer
def test_say_and_warn_escape_all_controls_but_line_ends(capsys: pytest.CaptureFixture[str]) -> None:
    say("red \x1b[31mtext\x1b[0m\tok\r\nnext\rover \x9b2J \u202eevil \x07")
    warn("warn \x1b]0;title\x07")
    out, err = capsys.readouterr()
    assert out == "red \\x1b[31mtext\\x1b[0m\tok\r\nnext\\rover \\x9b2J \\u202eevil \\x07\n"
    assert err == "warn \\x1b]0;title\\x07\n"


def test_escape_name_keeps_one_name_on_one_line() -> None:
    assert escape_name("a\nb\t\x1b\udcff.py") == "a\\nb\\t\\x1b\\xff.py"
    assert escape_name("café/ok.py") == "café/ok.py"
    assert terminal_text(BAD_BYTE_NAME) == "\\xff.py"


def test_json_escapes_surrogates_c1_and_bidi_and_round_trips(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    value = {"files": [BAD_BYTE_NAME, "x\x9by", "\u202eevil", "café\x1b"]}
    emit_json(value)
    emit_jsonl(value)
    out = capsysbinary.readouterr().out
    document, line = out.decode("utf-8").split("\n}\n")
    assert json.loads(document + "}") == value and json.loads(line) == value
    assert b"\xff" not in out and "\x9b" not in out.decode() and "\u202e" not in out.decode()
    assert "café" in out.decode()  # ordinary non-ASCII stays readable


def test_quote_name() -> None:
    assert quote_name("pkg/a.py") == "pkg/a.py"
    assert quote_name("naïve.py") == "naïve.py"
    assert quote_name(NEWLINE_NAME) == '"a\\nb.py"'
    assert quote_name(BAD_BYTE_NAME) == '"\\udcff.py"'
    assert quote_name('"quoted".py') == '"\\"quoted\\".py"'  # would look quoted otherwise
    assert quote_name("trailing.py ") == '"trailing.py "'
    assert json.loads(quote_name(BAD_BYTE_NAME)) == BAD_BYTE_NAME


# ------------------------------------------------------------------ what the model sees
def test_tools_list_a_newline_name_as_one_quoted_entry(hostile: Path) -> None:
    run = run_turn(
        hostile,
        [
            call("list"),
            call("glob", pattern="*.py"),
            call("grep", pattern="return 1"),
            call("map"),
            call("context", question="newline_fn byte_fn"),
            "ok",
        ],
        mode=Mode.PLAN,
    )
    listing, globbed, grepped, outline, context = run.outputs
    quoted = ['"a\\nb.py"', '"e\\u001b[31m.py"', '"\\udcff.py"']
    assert sorted(listing.splitlines()) == sorted([*quoted, "ok.py"])
    assert sorted(globbed.splitlines()) == sorted([*quoted, "ok.py"])
    assert sorted(grepped.splitlines()) == sorted(f"{q}:2: return 1" for q in quoted)
    assert '"a\\nb.py":' in outline.splitlines()
    assert {'"a\\nb.py"', '"\\udcff.py"'} <= {line.split(":")[0] for line in context.splitlines()}
    for output in run.outputs:
        assert "\x1b" not in output and "\udcff" not in output


def test_the_model_can_pass_a_quoted_name_back(hostile: Path) -> None:
    # The quoted form is a JSON string: as a tool-call argument it decodes to the real name.
    run = run_turn(
        hostile, [call("read", path=NEWLINE_NAME), call("read", path=BAD_BYTE_NAME), "ok"], mode=Mode.PLAN
    )
    first, second = run.outputs
    assert first.splitlines()[0] == '"a\\nb.py" (2 lines)' and "1: def newline_fn():" in first
    assert second.splitlines()[0] == '"\\udcff.py" (2 lines)' and "1: def byte_fn():" in second
