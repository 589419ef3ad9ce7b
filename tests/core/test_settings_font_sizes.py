"""Editor and chat font sizes: kept between runs, and a size no one could read falls back."""

from __future__ import annotations

from pathlib import Path

from app.core.settings import Settings


def test_font_sizes_survive_a_save_and_load(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    Settings(editor_font_size=14, chat_font_size=11).save(path)
    loaded = Settings.load(path)
    assert (loaded.editor_font_size, loaded.chat_font_size) == (14, 11)


def test_an_unreadable_font_size_falls_back_to_the_system_size(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("editor_font_size = 400\nchat_font_size = -3\ntheme = 'dark'\n", encoding="utf-8")
    loaded = Settings.load(path)
    assert (loaded.editor_font_size, loaded.chat_font_size) == (0, 0)
    assert loaded.theme == "dark"
