"""The theme's text and badges, and our own CSS, reach WCAG AA contrast (tests/contrast.py; docs/accessibility.md).

Worked out from the files the app is drawn with: .streamlit/config.toml and the CSS in ui/.
"""
import re
import tomllib

import pytest

from tests.conftest import ROOT
from tests.contrast import AA_NON_TEXT, AA_TEXT, over, parse, ratio
from ui import a11y_style, tiles

THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
BACKGROUNDS = [THEME["backgroundColor"], THEME["secondaryBackgroundColor"]]
BADGES = ["red", "orange", "green", "blue", "violet", "gray"]  # the colours ui/ and pages/ use
CAPTION_OPACITY = 0.6  # Streamlit draws st.caption and :gray text in textColor at 60%


def test_the_contrast_formula_matches_wcag():
    assert ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert ratio("#6B3FA0", "#6B3FA0") == pytest.approx(1)
    assert ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the well-known "just fails" grey
    assert ratio("rgba(0, 0, 0, 0.5)", "#FFFFFF") == pytest.approx(ratio("#808080", "#FFFFFF"), abs=0.05)


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_body_text_and_captions_reach_4_5_on_both_backgrounds(background):
    text = THEME["textColor"]
    caption = parse(text)[:3] + (CAPTION_OPACITY,)
    assert ratio(text, background) >= AA_TEXT
    assert ratio(over(caption, background), background) >= AA_TEXT, "st.caption would be too faint"


def test_the_purple_button_and_purple_text_reach_4_5():
    purple = THEME["primaryColor"]
    assert ratio("#FFFFFF", purple) >= AA_TEXT  # Confirm Session: white on purple
    for background in BACKGROUNDS:
        assert ratio(purple, background) >= AA_TEXT  # purple words (a selected tab, links)


@pytest.mark.parametrize("colour", BADGES)
def test_each_badge_and_coloured_text_reaches_4_5(colour):
    text, badge = THEME[f"{colour}TextColor"], THEME[f"{colour}BackgroundColor"]
    assert ratio(text, badge) >= AA_TEXT, f":{colour}-badge"
    for background in BACKGROUNDS:
        assert ratio(text, background) >= AA_TEXT, f":{colour}[text]"


def _rules(css: str):
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        props = {k.strip(): v.strip() for k, v in re.findall(r"(?:^|;)\s*([\w-]+)\s*:([^;]+)", body)}
        yield selector.strip(), props


def test_the_figure_tiles_use_the_themes_checked_colour_pairs():
    # st.metric colours a difference with the theme's pairs (checked above with the badges), never alone.
    assert set(tiles._COLOUR.values()) <= {"green", "red", "gray"}
    assert set(tiles._WORD.values()) == {"better", "worse", None}


def test_the_focus_ring_stands_out_on_both_backgrounds():
    [colour] = set(re.findall(r"outline:2px solid (#[0-9A-Fa-f]{6})", a11y_style.STYLE))
    for background in BACKGROUNDS:
        assert ratio(colour, background) >= AA_NON_TEXT
