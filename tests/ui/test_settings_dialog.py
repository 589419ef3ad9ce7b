"""The settings dialog: what it changes takes effect at once where it can, and is written to settings.toml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.paths import user_dirs
from app.core.settings import Settings
from app.ui.app import EnclaveApp
from app.ui.font_zoom import EDITOR, default_size
from app.ui.settings_dialog import SettingsDialog


@pytest.fixture
def enclave(qtbot) -> Iterator[EnclaveApp]:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    path = user_dirs().settings_file
    app = EnclaveApp(settings=Settings.load(path), settings_path=path, load_model=False)
    qtbot.addWidget(app.window)
    app.window.show()
    yield app
    app.shutdown()
    # The theme is the whole application's: put it back for the tests that follow.
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def _open(qtbot, enclave: EnclaveApp) -> SettingsDialog:
    dialog = enclave.windows.show_settings()
    qtbot.waitUntil(lambda: dialog.models_listed, timeout=10000)
    return dialog


def _saved() -> Settings:
    return Settings.load(user_dirs().settings_file)


def test_choosing_the_dark_theme_darkens_the_window_and_is_saved(qtbot, enclave):
    dialog = _open(qtbot, enclave)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert dialog.apply() == frozenset({"theme"})
    assert enclave.window.palette().color(enclave.window.backgroundRole()).lightness() < 128
    assert enclave.window.menu_actions["theme_dark"].isChecked()
    assert _saved().theme == "dark"
    assert "Changed now" in dialog.note.text() and "next model load" not in dialog.note.text()
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.apply()
    assert enclave.window.palette().color(enclave.window.backgroundRole()).lightness() > 128
    assert _saved().theme == "light"


def test_editor_font_size_then_ctrl_equals_zooms_the_open_file(qtbot, enclave, project):
    page = enclave.window.editors.open_file(project / "pkg" / "net.py")
    assert page is not None
    assert page.editor.font().pointSize() == default_size(EDITOR)
    dialog = _open(qtbot, enclave)
    dialog.editor_font.setValue(14)
    dialog.apply()
    assert page.editor.font().pointSize() == 14
    assert _saved().editor_font_size == 14
    dialog.close()
    enclave.window.activateWindow()
    page.editor.setFocus()
    qtbot.waitUntil(page.editor.hasFocus, timeout=5000)
    qtbot.keyClick(page.editor, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert page.editor.font().pointSize() == 15
    assert _saved().editor_font_size == 15
    # The gutter follows the font: the numbers are not cut off.
    assert page.editor.viewportMargins().left() == page.editor.line_number_width()
    # A file opened afterwards gets the zoomed size too; Ctrl+0 goes back to the system size.
    other = enclave.window.editors.open_file(project / "README.md")
    assert other is not None and other.editor.font().pointSize() == 15
    qtbot.keyClick(other.editor, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert other.editor.font().pointSize() == default_size(EDITOR)
    assert page.editor.font().pointSize() == default_size(EDITOR)
    assert _saved().editor_font_size == 0


def test_ctrl_minus_in_the_chat_shrinks_the_conversation_not_the_editor(qtbot, enclave, project):
    page = enclave.window.editors.open_file(project / "pkg" / "net.py")
    assert page is not None
    chat = enclave.window.chat
    before, editor_before = chat.transcript.font().pointSize(), page.editor.font().pointSize()
    enclave.window.activateWindow()
    chat.transcript.setFocus()  # the message box is disabled until a model is loaded
    qtbot.waitUntil(chat.transcript.hasFocus, timeout=5000)
    qtbot.keyClick(chat.transcript, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert chat.transcript.font().pointSize() == before - 1
    assert page.editor.font().pointSize() == editor_before
    assert _saved().chat_font_size == before - 1


def test_model_settings_say_they_apply_to_the_next_load(qtbot, enclave, tmp_path):
    dialog = _open(qtbot, enclave)
    dialog.n_ctx.setValue(8192)
    dialog.gpu.setChecked(False)
    dialog.add_model_folder(tmp_path)
    changed = dialog.apply()
    assert changed == frozenset({"n_ctx", "gpu", "extra_model_dirs"})
    assert "Applies to the next model load: GPU, context size." in dialog.note.text()
    saved = _saved()
    assert (saved.n_ctx, saved.gpu, saved.extra_model_dirs) == (8192, "off", [str(tmp_path)])
    assert "next model load" in enclave.window.status.currentMessage()
    assert dialog.apply() == frozenset() and dialog.note.text() == "Nothing changed."


def test_a_gguf_in_a_model_folder_can_be_chosen_as_the_local_model(qtbot, enclave, tiny_qwen2):
    enclave.settings.extra_model_dirs = [str(tiny_qwen2.parent)]
    dialog = _open(qtbot, enclave)
    index = dialog.local_model.findData(str(tiny_qwen2))
    assert index > 0, [dialog.local_model.itemText(i) for i in range(dialog.local_model.count())]
    assert "found in a folder" in dialog.local_model.itemText(index)
    dialog.local_model.setCurrentIndex(index)
    dialog.apply()
    assert _saved().model == str(tiny_qwen2)


def test_completion_off_list_is_read_at_once_by_the_shared_settings(qtbot, enclave):
    dialog = _open(qtbot, enclave)
    dialog.completion_off.setText("Markdown, yaml, markdown")
    dialog.completion.setChecked(False)
    dialog.apply()
    assert enclave.settings.completion_off == ["markdown", "yaml"]
    assert enclave.settings.completion is False
    assert _saved().completion_off == ["markdown", "yaml"]


def test_an_endpoint_added_here_is_offered_for_a_role_and_its_key_stays_out_of_the_file(qtbot, enclave):
    from app.core.remote.keys import key_store

    dialog = _open(qtbot, enclave)
    section = dialog.endpoints
    section.name.setText("team-gpu")
    section.url.setText("http://127.0.0.1:9/v1")
    section.model.setText("qwen-coder")
    section.key.setText("sk-secret-123")
    try:
        assert section.add_endpoint()
        text = user_dirs().settings_file.read_text(encoding="utf-8")
        assert "team-gpu" in text and "sk-secret-123" not in text
        assert key_store().get("team-gpu") == "sk-secret-123"
        index = dialog.agent_model.findData("endpoint:team-gpu")
        assert index > 0
        dialog.agent_model.setCurrentIndex(index)
        dialog.apply()
        assert _saved().agent_model == "endpoint:team-gpu"
        assert "team-gpu" in section.list.item(0).text() and "used by agent" in section.list.item(0).text()
        section.list.setCurrentRow(0)
        assert section.remove_selected()
        saved = _saved()
        assert saved.endpoints == [] and saved.agent_model == ""
        assert dialog.agent_model.currentData() == ""
        assert key_store().get("team-gpu") is None
    finally:
        key_store().delete("team-gpu")


def test_a_bad_endpoint_url_is_explained_and_nothing_is_stored(qtbot, enclave):
    dialog = _open(qtbot, enclave)
    section = dialog.endpoints
    section.name.setText("far")
    section.url.setText("http://10.1.2.3/v1")
    section.model.setText("m")
    assert not section.add_endpoint()
    assert "unencrypted" in section.status.text().lower() or "http" in section.status.text()
    assert enclave.settings.endpoints == []


def test_settings_dialog_reads_the_settings_it_is_given(qtbot, tmp_path: Path):
    settings = Settings(theme="dark", n_ctx=4096, n_threads=1, gpu="off", editor_font_size=13)
    dialog = SettingsDialog(settings=settings)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.models_listed, timeout=10000)
    assert dialog.theme.currentData() == "dark"
    assert (dialog.n_ctx.value(), dialog.n_threads.value(), dialog.gpu.isChecked()) == (4096, 1, False)
    assert dialog.editor_font.value() == 13
    assert dialog.apply() == frozenset()


def test_test_reaches_the_endpoint_on_this_machine_and_reports_it(qtbot, enclave):
    from tests.support.fake_openai import FakeOpenAI

    fake = FakeOpenAI().start()
    try:
        dialog = _open(qtbot, enclave)
        section = dialog.endpoints
        section.name.setText("local-vllm")
        section.url.setText(fake.url)
        section.model.setText("fake-model")
        assert section.add_endpoint()
        section.list.setCurrentRow(0)
        assert fake.requests == []  # adding sends nothing
        section.test_button.click()
        assert not section.test_button.isEnabled()  # one test at a time
        qtbot.waitUntil(lambda: "reachable" in section.status.text(), timeout=15000)
        assert "models served: fake-model" in section.status.text()
        assert "4,096 tokens" in section.status.text()
        assert any(r.path.endswith("/models") for r in fake.requests)
        qtbot.waitUntil(section.test_button.isEnabled, timeout=5000)
    finally:
        fake.stop()


def test_file_settings_opens_the_dialog(qtbot, enclave):
    enclave.window.menu_actions["settings"].trigger()
    dialog = enclave.windows.settings_dialog
    assert dialog is not None and dialog.isVisible()
    assert enclave.window.menu_actions["settings"].shortcut().toString() == "Ctrl+,"
