"""Bad arguments exit 2 before anything loads; a mistyped command never opens the window."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from app.cli import build_parser, is_cli_invocation, run_cli
from app.gui import run_gui

BAD_COUNTS = ["0", "-1", "-0", "nan", "inf", "1.5", "1e3", "abc", ""]


def command_lines(project: str) -> list[tuple[list[str], str]]:
    """Each (command line without the value, flag) whose value must be a count of at least 1."""
    return [
        (["index", project, "--max-files"], "--max-files"),
        (["index", project, "--workers"], "--workers"),
        (["symbols", project, "--max-files"], "--max-files"),
        (["map", project, "--tokens"], "--tokens"),
        (["map", project, "--max-files"], "--max-files"),
        (["context", project, "where", "--top"], "--top"),
        (["context", project, "where", "--max-files"], "--max-files"),
        (["chat", "hi", "--ctx"], "--ctx"),
        (["chat", "hi", "--max-tokens"], "--max-tokens"),
        (["ask", project, "hi", "--ctx"], "--ctx"),
        (["ask", project, "hi", "--max-steps"], "--max-steps"),
        (["ask", project, "hi", "--max-files"], "--max-files"),
    ]


def refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Parse `args` as run_cli does first, expect argparse's exit 2, return stderr.

    Parsing only: were a check to regress, `chat hi --ctx 0` must fail here, not load a model.
    """
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(args)
    assert exc.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("value", BAD_COUNTS)
@pytest.mark.parametrize("case", range(len(command_lines("."))))
def test_counts_below_one_or_not_whole_exit_2(
    case: int, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, flag = command_lines(str(tmp_path))[case]
    err = refused([*args, value], capsys)
    assert f"argument {flag}:" in err and "Traceback" not in err


def test_run_cli_refuses_before_indexing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(["index", str(tmp_path), "--max-files", "0"])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "argument --max-files: must be at least 1, got '0'" in err


@pytest.mark.parametrize("value", ["-0.1", "-1", "nan", "inf", "-inf", "warm", ""])
def test_temperature_below_zero_or_not_finite_exits_2(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["chat", "hi", f"--temperature={value}"], capsys)
    assert "argument --temperature:" in err


@pytest.mark.parametrize(
    "args",
    [
        ["chat", ""],
        ["chat", "   "],
        ["chat", "\n\t"],
        ["ask", ".", ""],
        ["ask", ".", "  "],
        ["context", ".", ""],
        ["context", ".", " \n"],
    ],
)
def test_an_empty_prompt_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(args, capsys)
    assert "must not be empty" in err


def test_good_values_parse_and_the_context_default_stays_auto() -> None:
    parser = build_parser()
    chat = parser.parse_args(["chat", "hi"])
    assert chat.ctx is None and chat.temperature is None and chat.max_tokens == 512
    chat = parser.parse_args(["chat", " hi ", "--ctx", "2048", "--temperature", "0", "--max-tokens", "1"])
    assert (chat.prompt, chat.ctx, chat.temperature, chat.max_tokens) == (" hi ", 2048, 0.0, 1)
    assert parser.parse_args(["chat", "hi", "--temperature", "0.7"]).temperature == 0.7
    ask = parser.parse_args(["ask", ".", "hi"])
    assert ask.ctx is None and ask.max_steps == 12 and ask.max_files is None
    context = parser.parse_args(["context", ".", "where", "--top", "1"])
    assert context.top == 1 and context.max_files is None
    assert parser.parse_args(["index", ".", "--workers", "1", "--max-files", "1"]).workers == 1
    assert parser.parse_args(["map", "."]).tokens == 1024


def every_parser(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """(command words, parser) for the top level and every subcommand, nested ones too."""
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from every_parser(sub, (*prefix, name))


def test_debug_works_wherever_help_lists_it() -> None:
    parsers = list(every_parser(build_parser()))
    assert len(parsers) > 12  # the top level, 8 commands, the models actions
    for words, parser in parsers:
        assert "--debug" in parser.format_help(), words
    parser = build_parser()
    assert parser.parse_args(["chat", "hi"]).debug is False
    assert parser.parse_args(["--debug", "chat", "hi"]).debug is True
    assert parser.parse_args(["chat", "--debug", "hi"]).debug is True
    assert parser.parse_args(["chat", "hi", "--debug"]).debug is True
    assert parser.parse_args(["models", "list", "--debug"]).debug is True
    assert parser.parse_args(["models", "--debug", "list"]).debug is True
    assert parser.parse_args(["--debug", "models", "list"]).debug is True


# ------------------------------------------------------------------ the entry point
def enclave(*args: str) -> subprocess.CompletedProcess[str]:
    # No display: a window attempt would abort in Qt instead of printing the message.
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_an_unknown_command_exits_2_without_the_window(tmp_path: Path) -> None:
    proc = enclave("bogus")
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "enclave: unknown command or no such folder: bogus (commands: doctor, chat,"
    )
    (tmp_path / "notes.txt").write_text("x")
    proc = enclave("--debug", str(tmp_path / "notes.txt"))  # a file is not a folder
    assert proc.returncode == 2 and "unknown command or no such folder" in proc.stderr
    proc = enclave("inde\x1bx")
    assert proc.returncode == 2 and "\x1b" not in proc.stderr and "inde\\x1bx" in proc.stderr


def test_bad_values_exit_2_from_the_command_line() -> None:
    for args, flag in [
        (["chat", ""], "prompt"),
        (["chat", "--debug", "hi", "--ctx", "0"], "--ctx"),
        (["chat", "hi", "--temperature", "nan"], "--temperature"),
    ]:
        proc = enclave(*args)
        assert proc.returncode == 2, args
        assert f"argument {flag}:" in proc.stderr and "Traceback" not in proc.stderr


# In-process below, through run_gui rather than app.__main__.main: main installs the
# network guard, which cannot be turned off again in this test process.
def test_the_gui_is_not_loaded_for_an_unknown_command(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[list[str]] = []
    fake = types.ModuleType("app.ui.app")
    fake.run_app = lambda ns: opened.append(ns) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.ui.app", fake)
    assert not is_cli_invocation(["bogus"])
    assert run_gui(["bogus"]) == 2
    assert opened == []


def test_an_existing_folder_still_opens_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[argparse.Namespace] = []
    fake = types.ModuleType("app.ui.app")
    fake.run_app = lambda ns: opened.append(ns) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.ui.app", fake)
    assert run_gui([str(tmp_path), "--screenshot", str(tmp_path / "out.png"), "--no-model"]) == 0
    assert run_gui(["--screenshot", "out.png"]) == 0  # no project: the window opens empty
    assert run_gui([]) == 0
    assert [(ns.project, ns.screenshot, ns.no_model) for ns in opened] == [
        (str(tmp_path), str(tmp_path / "out.png"), True),
        (None, "out.png", False),
        (None, None, False),
    ]
