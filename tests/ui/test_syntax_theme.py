"""Syntax colours: readable on both editor backgrounds, and capture names map as expected."""

from __future__ import annotations

import pytest

from app.ui.chat_styles import code_colours
from app.ui.syntax_theme import BACKGROUNDS, PALETTE, PLAIN, category_of


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("category", sorted(PALETTE))
def test_every_colour_has_text_contrast_on_its_background(category: str) -> None:
    # The editor's background, and the chat's code blocks (coloured with the same table).
    light_backgrounds = (BACKGROUNDS[0], code_colours(dark=False)[0].name())
    dark_backgrounds = (BACKGROUNDS[1], code_colours(dark=True)[0].name())
    light, dark = PALETTE[category]
    for colour, backgrounds in ((light, light_backgrounds), (dark, dark_backgrounds)):
        for background in backgrounds:
            if colour is not None:
                assert _contrast(colour, background) >= 4.5, (category, colour, background)


def test_capture_names_map_by_longest_known_prefix() -> None:
    assert category_of("keyword.control.import") == "keyword"
    assert category_of("string.special.key") == "property"
    assert category_of("string.documentation") == "string"
    assert category_of("variable") == PLAIN
    assert category_of("variable.builtin") == "builtin"
    assert category_of("spell") is None
    assert category_of("no.such.capture") is None
