"""`enclave --self-test`: check that this installation (a frozen bundle above all) really works.

Prints one JSON report and exits 0 when every check passed, 1 otherwise. Everything it
writes goes to a temporary folder removed at the end; the user's folders are not touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TEST_MODEL = Path("selftest") / "tiny-qwen.gguf"  # shipped in the bundle for this check
# Modules that can reach the network or run native code, none of which may load before the guard.
_NOT_BEFORE_THE_GUARD = (
    "llama_cpp",
    "PySide6.QtNetwork",
    "huggingface_hub",
    "httpx",
    "urllib3",
    "requests",
)


def main(argv: list[str]) -> int:
    """Run every check; print the report; 0 when all passed."""
    if argv:
        sys.stderr.write("usage: enclave --self-test\n")
        return 2
    # Imported before anything else of Enclave's: what came in with the guard is all there is.
    # (A frozen app's bootstrap loads PySide6 and QtCore to set Qt's paths; neither opens sockets.)
    early = {name: name in sys.modules for name in _NOT_BEFORE_THE_GUARD}
    checks: list[dict[str, Any]] = []
    with _scratch_home() as scratch:
        _check(checks, "guard installed first", lambda: _guard_first(early))
        _check(checks, "catalog, prompts and skills load", lambda: _shipped_files(scratch))
        _check(checks, "every grammar parses", _grammars)
        _check(checks, "every language has editor colours", _highlights)
        _check(checks, "an index builds", lambda: _index(scratch))
        _check(checks, "llama.cpp loads a model and generates", _model)
        _check(checks, "a window opens offscreen", _window)
        _check(checks, "no connection was attempted", _no_network)
    ok = all(c["ok"] for c in checks)
    sys.stdout.write(
        json.dumps({"ok": ok, "frozen": bool(getattr(sys, "frozen", False)), "checks": checks}) + "\n"
    )
    return 0 if ok else 1


def _check(checks: list[dict[str, Any]], name: str, run: Callable[[], str]) -> None:
    started = time.perf_counter()
    try:
        detail, ok = run(), True
    except Exception as exc:  # every failure is reported, and the other checks still run
        detail, ok = f"{type(exc).__name__}: {exc}"[:300], False
    checks.append(
        {"name": name, "ok": ok, "detail": detail, "seconds": round(time.perf_counter() - started, 3)}
    )


@contextlib.contextmanager
def _scratch_home() -> Iterator[Path]:
    saved = {k: os.environ.get(k) for k in ("ENCLAVE_HOME", "ENCLAVE_CACHE", "QT_QPA_PLATFORM")}
    with tempfile.TemporaryDirectory(prefix="enclave-self-test-") as tmp:
        os.environ["ENCLAVE_HOME"] = tmp
        os.environ.pop("ENCLAVE_CACHE", None)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        try:
            yield Path(tmp)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _guard_first(early: dict[str, bool]) -> str:
    from app.core.privacy import guard

    if not guard.is_installed():
        raise AssertionError("the network guard is not installed")
    loaded = [name for name, present in early.items() if present]
    if loaded:
        raise AssertionError(f"imported before the guard's check: {', '.join(loaded)}")
    return "installed before llama.cpp, Qt and any HTTP client were imported"


def _shipped_files(scratch: Path) -> str:
    from app.core.agent.modes import Mode
    from app.core.agent.prompts import system_prompt
    from app.core.agent.skills import load_skills
    from app.core.store.catalog import load_catalog

    catalog = load_catalog()
    prompts = [system_prompt(mode) for mode in Mode]
    skills = load_skills(scratch)
    if not list(catalog) or not all(prompts) or not skills:
        raise AssertionError("the catalog, a prompt or the skills came back empty")
    return f"{len(list(catalog))} catalog models, {len(prompts)} prompts, {len(skills)} skills"


def _grammars() -> str:
    import tree_sitter

    from app.core.index.languages import load_language, supported_languages

    failed = []
    for name in supported_languages():
        language = load_language(name)
        if language is None:
            failed.append(name)
            continue
        tree = tree_sitter.Parser(language).parse(b"x = 1\n")
        if tree.root_node is None:
            failed.append(name)
    if failed:
        raise AssertionError(f"grammars that do not load or parse: {', '.join(failed)}")
    return f"{len(supported_languages())} grammars"


def _highlights() -> str:
    # The wheels' highlights queries are data files: a bundle that left them out shows plain text.
    from app.ui.syntax_queries import highlight_languages, load_highlight

    missing = [name for name in highlight_languages() if load_highlight(name) is None]
    if missing:
        raise AssertionError(f"languages the editor cannot colour: {', '.join(missing)}")
    return f"{len(highlight_languages())} languages coloured"


def _index(scratch: Path) -> str:
    from app.core import services

    project = scratch / "sample"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (project / "web.js").write_text("function greet(name) { return `hi ${name}`; }\n", encoding="utf-8")
    (project / "main.go").write_text("package main\n\nfunc Main() {}\n", encoding="utf-8")
    index = services.open_index(project, workers=2)
    names = {s.name for f in index.files() for s in index.symbols(f)}
    if not {"add", "greet", "Main"} <= names:
        raise AssertionError(f"definitions missing from the index: {sorted(names)}")
    return f"{len(index.files())} files, {len(names)} definitions"


def _model() -> str:
    from app.core import services
    from app.core.cancel import CancelToken
    from app.core.paths import resources_dir
    from app.core.runtime.generation import GenerationDone, Sampling
    from app.core.settings import Settings
    from app.core.store.demo import demo_model_path

    shipped = resources_dir().parent / TEST_MODEL
    path = shipped if shipped.is_file() else demo_model_path()
    if path is None:
        raise AssertionError(f"no test model: {TEST_MODEL} is not in this installation")
    model = services.load_model_file(path, settings=Settings(n_ctx=512), cancel=CancelToken())
    try:
        done = None
        for item in model.chat(
            [{"role": "user", "content": "Say hello."}],
            sampling=Sampling.greedy(max_tokens=8),
            cancel=CancelToken(),
        ):
            if isinstance(item, GenerationDone):
                done = item
        if done is None or done.stats.completion_tokens < 1:
            raise AssertionError("the model generated no token")
        off = f"; probe turned off: {', '.join(model.info.turned_off)}" if model.info.turned_off else ""
        return f"{path.name}: {done.stats.completion_tokens} tokens on {model.info.backend}{off}"
    finally:
        model.close()


def _window() -> str:
    from PySide6.QtWidgets import QApplication

    from app.core.settings import Settings
    from app.ui.main_window import MainWindow
    from app.ui.model_worker import ModelWorker

    app = QApplication.instance() or QApplication(sys.argv[:1])
    worker = ModelWorker()
    window = MainWindow(settings=Settings(), worker=worker, modal_errors=False)
    try:
        window.show()
        app.processEvents()
        if not window.isVisible():
            raise AssertionError("the main window did not show")
        return f"{window.width()}x{window.height()} on {QApplication.platformName()}"
    finally:
        window.close()
        worker.shutdown()
        app.processEvents()


def _no_network() -> str:
    from app.core.privacy import guard

    refused = guard.refused_count()
    if refused:
        raise AssertionError(f"{refused} connection attempt(s) refused by the guard")
    return "the guard saw no attempt"
