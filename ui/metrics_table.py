"""The managers' table by therapist, as people read it: hours as durations (sorted by their length), shares
as percentages, and "faster than the practice" as a mark rather than a tick box that looks clickable.

The browser writes the durations and percentages (column_config below), not a pandas Styler: a Styler works
out every cell's text on the server, 107-164 ms for 2,000 therapists, and sends twice the bytes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

HOURS = {"Median (h)": "Median", "90th percentile (h)": "90th percentile"}  # lib's columns (CSV keeps decimals)
FASTER = "Faster than practice"
MARK = "✓ Faster"


def readable(columns: dict[str, list]) -> pd.DataFrame:
    """The table with its hours as durations to the minute (empty where there is no figure)."""
    df = pd.DataFrame(columns).rename(columns=HOURS)
    for name in HOURS.values():
        df[name] = pd.to_timedelta(pd.to_numeric(df[name], errors="coerce") * 3600, unit="s").dt.round("min")
    df[FASTER] = [MARK if faster else "" for faster in df[FASTER]]
    return df


def column_config() -> dict:
    return {
        "Median": st.column_config.NumberColumn(help="Business hours", format="localized"),
        "90th percentile": st.column_config.NumberColumn(help="Business hours", format="localized"),
        "Within target": st.column_config.NumberColumn(format="%.0f%%"),
        FASTER: st.column_config.TextColumn(help="✓ where the median response is faster than the practice's median"),
    }
