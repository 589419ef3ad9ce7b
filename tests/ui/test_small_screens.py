"""The window on small screens: 800x600 fits, panes collapse and come back, nothing jumps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.core.settings import Settings
from app.gui import build_gui_parser, run_gui
from app.ui.chat_footer import ChatFooter
from app.ui.main_window import MainWindow
from app.ui.model_worker import ModelWorker
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import ask, main_window


def _resize(qtbot, window: MainWindow, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=3000)
    qtbot.wait(50)  # the dock sizer runs on the next turn of the event loop


def _rect_in_window(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _reachable(window: QWidget, widget: QWidget) -> bool:
    return widget.isVisible() and window.rect().contains(_rect_in_window(window, widget))


def test_800x600_shows_send_stop_and_plan_build_inside_the_window(qtbot):
    model = ReplayModel(["one two three four five six"], pause_s=5.0)
    with main_window(qtbot, model=model) as w:
        assert w.minimumSizeHint().width() <= 800
        assert w.minimumSizeHint().height() <= 600
        _resize(qtbot, w, 800, 600)
        chat = w.chat
        for button in (chat.send_button, chat.stop_button, chat.mode_button, chat.model_picker):
            assert _reachable(w, button), button.accessibleName()
        assert _reachable(w, chat.input) and _reachable(w, chat.gauge)
        assert chat.send_button.isEnabled() and chat.mode_button.isEnabled()
        assert not chat.stop_button.isEnabled()
        # The side panes gave way to the chat: the file tree and the bottom panel start collapsed.
        assert not w.files_dock.isVisible() and not w.bottom_dock.isVisible()
        assert chat.width() >= 300
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            chat.send("count slowly")
            qtbot.waitUntil(lambda: chat.transcript.toPlainText().count("one") >= 1, timeout=5000)
            assert chat.stop_button.isEnabled() and _reachable(w, chat.stop_button)
            chat.stop_button.click()
        qtbot.waitUntil(lambda: not chat.busy)


def test_640x480_still_fits(qtbot):
    with main_window(qtbot, model=ReplayModel([])) as w:
        _resize(qtbot, w, 640, 480)
        for button in (w.chat.send_button, w.chat.stop_button, w.chat.mode_button):
            assert _reachable(w, button), button.accessibleName()


def test_the_chat_pane_keeps_its_width_when_the_speed_appears(qtbot):
    model = ReplayModel(["The retry logic is in pkg/net.py:1 and retries three times."])
    with main_window(qtbot, model=model) as w:
        _resize(qtbot, w, 1360, 840)
        before = w.chat_dock.width()
        hint = w.chat.minimumSizeHint().width()
        assert w.chat.speed.text() == ""
        ask(qtbot, w, "where is the retry logic?")
        qtbot.waitUntil(lambda: "tok/s" in w.chat.speed.text())
        qtbot.wait(50)
        assert w.chat_dock.width() == before
        assert w.chat.minimumSizeHint().width() == hint
        assert w.chat.speed.toolTip() == w.chat.speed.text()  # whole, even where it elides


def test_panes_get_their_width_back_after_the_window_shrinks_and_grows(qtbot):
    with main_window(qtbot) as w:
        _resize(qtbot, w, 1400, 900)
        files, chat, bottom = w.files_dock.width(), w.chat_dock.width(), w.bottom_dock.height()
        assert files >= 200 and chat >= 400
        _resize(qtbot, w, 800, 600)
        assert not w.files_dock.isVisible()
        assert w.chat_dock.width() < chat + 5
        _resize(qtbot, w, 1400, 900)
        assert w.files_dock.isVisible() and w.bottom_dock.isVisible()
        assert w.files_dock.width() >= files - 4
        assert w.chat_dock.width() >= chat - 4
        assert w.bottom_dock.height() >= bottom - 4


def test_a_pane_the_user_closed_or_opened_stays_that_way(qtbot):
    with main_window(qtbot) as w:
        _resize(qtbot, w, 1400, 900)
        w.bottom_dock.hide()  # closed by the user: growing the window must not reopen it
        _resize(qtbot, w, 800, 600)
        w.files_dock.show()  # opened by the user at the small size: it stays open
        qtbot.wait(50)
        assert w.files_dock.isVisible()
        assert _reachable(w, w.chat.send_button)
        _resize(qtbot, w, 780, 600)
        assert w.files_dock.isVisible()
        _resize(qtbot, w, 1400, 900)
        assert not w.bottom_dock.isVisible()
        assert w.files_dock.isVisible()


def test_a_layout_saved_in_a_small_window_keeps_the_panes_open(qtbot):
    with main_window(qtbot) as w:
        _resize(qtbot, w, 800, 600)
        assert not w.files_dock.isVisible()
        w.save_layout()
        stored = w.settings.window_geometry
        assert not w.files_dock.isVisible()  # saving did not reopen it here
    worker = ModelWorker()
    again = MainWindow(settings=Settings(window_geometry=stored), worker=worker, modal_errors=False)
    qtbot.addWidget(again)
    again.show()
    try:
        _resize(qtbot, again, 1400, 900)
        assert again.files_dock.isVisible() and again.bottom_dock.isVisible()
        assert again.files_dock.width() >= 200
    finally:
        worker.shutdown()


def test_long_status_texts_elide_instead_of_widening_the_window(qtbot):
    with main_window(qtbot) as w:
        hint = w.minimumSizeHint().width()
        w.status.set_index("Indexed the first 20,000 files (limit) · 1,234,567 symbols " * 3)
        w.status.set_model(
            None, note="Loading a-model-with-a-very-long-file-name-Q4_K_M-00001-of-00003.gguf…"
        )
        assert w.minimumSizeHint().width() == hint
        assert w.status.index.text().startswith("Indexed the first 20,000 files")  # whole text kept


def test_the_footer_wraps_the_buttons_below_the_gauge_when_narrow(qtbot):
    footer = ChatFooter()
    qtbot.addWidget(footer)
    footer.speed.setText("12.3 tok/s · first token 0.45 s")
    footer.resize(footer.sizeHint().width(), footer.heightForWidth(footer.sizeHint().width()))
    footer.speed.set_short_text("12.3 tok/s")
    footer.show()
    assert footer.one_row()
    # Where the whole text does not fit, the number is shown whole rather than cut.
    assert footer.speed.shown_text() == "12.3 tok/s"
    assert footer.send_button.geometry().top() == footer.gauge.geometry().top()
    narrow = footer.minimumSizeHint().width()
    footer.resize(narrow, footer.heightForWidth(narrow))
    assert not footer.one_row()
    assert footer.send_button.geometry().top() > footer.gauge.geometry().bottom()
    for child in (footer.gauge, footer.speed, footer.stop_button, footer.send_button):
        assert footer.rect().contains(child.geometry()), child.accessibleName()
    assert not footer.stop_button.geometry().intersects(footer.send_button.geometry())


def test_size_is_parsed_and_bad_values_exit_2(capsys):
    assert build_gui_parser().parse_args(["--size", "800x600"]).size == (800, 600)
    assert build_gui_parser().parse_args(["--size", "1366X768"]).size == (1366, 768)
    for bad in ("100x100", "800", "axb", "800x479", "0x0", "99999x600", "-800x600"):
        with pytest.raises(SystemExit) as exited:
            run_gui(["--size", bad])
        assert exited.value.code == 2, bad
        assert "--size" in capsys.readouterr().err


def test_the_app_opens_the_window_at_the_size_asked(qtbot):
    from app.ui.app import EnclaveApp

    app = EnclaveApp(settings=Settings(), settings_path=None, load_model=False, size=(800, 600))
    qtbot.addWidget(app.window)
    try:
        app.start()
        qtbot.waitUntil(lambda: app.window.isVisible())
        assert (app.window.width(), app.window.height()) == (800, 600)
        assert _reachable(app.window, app.window.chat.send_button)
    finally:
        app.shutdown()


def test_a_width_the_user_dragged_is_the_one_given_back(qtbot):
    with main_window(qtbot) as w:
        _resize(qtbot, w, 1400, 900)
        before = w.chat_dock.width()
        left = w.chat_dock.geometry().left()
        y = w.chat_dock.geometry().center().y()
        grip = next(x for x in range(left - 1, left - 12, -1) if w.childAt(QPoint(x, y)) is None)
        left_button = Qt.MouseButton.LeftButton
        for kind, x, buttons in (
            (QEvent.Type.MouseButtonPress, grip, left_button),
            (QEvent.Type.MouseMove, grip - 30, left_button),
            (QEvent.Type.MouseMove, grip - 60, left_button),
            (QEvent.Type.MouseButtonRelease, grip - 60, Qt.MouseButton.NoButton),
        ):
            local = QPointF(x, y)
            event = QMouseEvent(
                kind, local, w.mapToGlobal(local), left_button, buttons, Qt.KeyboardModifier.NoModifier
            )
            QApplication.sendEvent(w, event)
            qtbot.wait(20)  # Qt applies a separator move on a timer, before the release ends it
        qtbot.waitUntil(lambda: w.chat_dock.width() >= before + 50)
        dragged = w.chat_dock.width()
        qtbot.wait(50)  # the sizer takes the drag as the wanted width
        _resize(qtbot, w, 800, 600)
        _resize(qtbot, w, 1400, 900)
        assert abs(w.chat_dock.width() - dragged) <= 4
