"""The figure tiles on /metrics: st.metric with a border, in a horizontal container that wraps on a phone."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    help: str
    delta: str | None = None
    better: bool | None = None  # the difference's colour: True green, False red, None grey; also said in words


# Colours from the theme's pinned pairs (.streamlit/config.toml: greenTextColor on greenBackgroundColor, …),
# each at least 4.5:1 (tests/unit/test_contrast.py). Never colour alone: "better" or "worse" follows in words.
_COLOUR = {True: "green", False: "red", None: "gray"}
_WORD = {True: "better", False: "worse", None: None}
TILE_WIDTH = 250  # "12 h 45 min" and "+1 h 7 min vs practice · worse" fit; two rows on a desktop, one a row on a phone


def draw(tiles: Sequence[Tile], above: Sequence[str] = (), info: str | None = None, below: Sequence[str] = ()) -> None:
    """The tiles with the notes that go with them: plain-text lines above and below, and an info box."""
    for line in above:
        st.caption(line)  # markdown: the page escapes the one text not our own, a therapist's name
    with st.container(horizontal=True, gap="small"):
        for t in tiles:
            st.metric(t.label, t.value, delta=t.delta, delta_color=_COLOUR[t.better], delta_arrow="off",
                      delta_description=_WORD[t.better] if t.delta else None, help=t.help, border=True,
                      width=TILE_WIDTH)
    if info:
        st.info(info)
    for line in below:
        st.caption(line)
