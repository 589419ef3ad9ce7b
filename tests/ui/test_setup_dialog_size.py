"""The setup dialog shows its whole intro and grows when the recommendation arrives."""

from __future__ import annotations

from app.ui.model_setup_dialog import ModelSetupDialog

LONG = (
    "Recommended for this machine: <b>Qwen3-4B-Instruct-2507 (Q4_K_M)</b>, a 2.3 GiB download; it fits "
    "with 32768 tokens of context in free RAM. A completion model, qwen2.5-coder-1.5b, fits beside it "
    "with 2048 tokens of context left for it. Both run on this machine only."
)


def _fits(label) -> bool:  # the label is as tall as its wrapped text needs at its width
    return label.height() >= label.heightForWidth(label.width())


def test_the_intro_is_not_clipped_and_a_long_recommendation_makes_the_dialog_grow(qtbot):
    dialog = ModelSetupDialog(demo_available=True, recommend=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    intro = dialog.findChildren(type(dialog.recommendation))[0]
    assert _fits(intro)
    before = dialog.height()
    dialog.set_entry(object(), text=LONG)
    qtbot.waitUntil(lambda: _fits(dialog.recommendation), timeout=2000)
    assert dialog.height() > before
