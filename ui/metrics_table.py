"""The managers' table by therapist, as people read it: hours as "2 h 15 min" (like the tiles), sorted by the
numbers underneath, and "faster than the practice" as a mark rather than a tick box that looks clickable."""
from __future__ import annotations

import math

import pandas as pd
from pandas.io.formats.style import Styler

from lib.metrics.figures import hours_text

HOURS = {"Median (h)": "Median", "90th percentile (h)": "90th percentile"}  # lib's columns (CSV keeps decimals)
FASTER = "Faster than practice"
MARK = "✓ Faster"


def _hours(value) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else hours_text(value * 3600)


def _share(value) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}%"


def readable(columns: dict[str, list]) -> Styler:
    """The table with its hours shown in words; sorting a column still sorts by its number."""
    df = pd.DataFrame(columns).rename(columns=HOURS)
    df[FASTER] = [MARK if faster else "" for faster in df[FASTER]]
    return df.style.format({**{name: _hours for name in HOURS.values()}, "Within target": _share})
