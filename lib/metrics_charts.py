"""Altair charts of the response-time figures, in the practice's purple (no Streamlit here: testable alone)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib.metrics import Report, WeekPoint

PURPLE = "#6B3FA0"
LILAC = "#B9A3D9"
AMBER = "#E3A33B"
RED = "#B42318"
HEIGHT = 220


def _points(series: str, trend: list[WeekPoint]) -> list[dict]:
    return [{
        "week": w.week_start.isoformat(), "series": series,
        "median": None if w.figures.median is None else round(w.figures.median / 3600, 2),
        "within": None if w.figures.within_share is None else round(w.figures.within_share * 100, 1),
        "counted": w.figures.counted,
    } for w in trend]


def trend_frame(report: Report, own_label: str) -> pd.DataFrame:
    return pd.DataFrame(_points(own_label, report.trend), columns=["week", "series", "median", "within", "counted"])


def _rules(report: Report, median: bool) -> pd.DataFrame:
    """Dashed reference lines: the target, and (beside one therapist) the practice's figure for the period."""
    rows = [{"line": f"Target ({report.target_hours:g} h)", "y": report.target_hours}] if median else []
    if not report.is_practice:
        value = report.practice.median if median else report.practice.within_share
        if value is not None:
            rows.append({"line": "Practice", "y": round(value / 3600, 2) if median else round(value * 100, 1)})
    return pd.DataFrame(rows, columns=["line", "y"])


def trend_charts(report: Report, own_label: str) -> tuple[alt.Chart, alt.Chart]:
    """Weekly median (business hours) and % within target, with the target and the practice as dashed lines."""
    data = trend_frame(report, own_label)
    x = alt.X("week:T", title="Week starting", axis=alt.Axis(format="%-d %b", tickCount="week"))
    tooltip = [alt.Tooltip("week:T", title="Week of", format="%-d %b %Y"),
               alt.Tooltip("median:Q", title="Median (business h)"),
               alt.Tooltip("within:Q", title="Within target (%)"), alt.Tooltip("counted:Q", title="Requests counted")]
    base = alt.Chart(data).encode(x=x, tooltip=tooltip)
    point = alt.OverlayMarkDef(color=PURPLE, filled=True, size=50)

    def rules(median: bool):
        frame = _rules(report, median)
        names = list(frame["line"])
        colours = [RED if name.startswith("Target") else LILAC for name in names]
        return alt.Chart(frame).mark_rule(strokeDash=[4, 4], strokeWidth=2).encode(
            y="y:Q", color=alt.Color("line:N", title=None, scale=alt.Scale(domain=names, range=colours),
                                     legend=alt.Legend(orient="bottom") if names else None),
            tooltip=[alt.Tooltip("line:N", title="Line"), alt.Tooltip("y:Q", title="Value")])

    median = (base.mark_line(point=point, color=PURPLE, strokeWidth=2.5).encode(
        y=alt.Y("median:Q", title="Median (business h)")) + rules(True)).properties(height=HEIGHT)
    within = (base.mark_line(point=point, color=PURPLE, strokeWidth=2.5).encode(
        y=alt.Y("within:Q", title="Within target (%)", scale=alt.Scale(domain=[0, 100])))
        + rules(False)).properties(height=HEIGHT)
    return median, within


def histogram_frame(report: Report) -> pd.DataFrame:
    rows = []
    for order, bar in enumerate(report.histogram):
        for outcome, n in (("Answered within target", bar.within), ("Answered after the target", bar.late),
                           ("Unanswered past target", bar.unanswered)):
            rows.append({"bin": bar.label, "order": order, "outcome": outcome, "requests": n})
    return pd.DataFrame(rows, columns=["bin", "order", "outcome", "requests"])


def histogram_chart(report: Report) -> alt.Chart:
    """How long requests waited for a first answer, in business hours, stacked by outcome."""
    data = histogram_frame(report)
    outcomes = ["Answered within target", "Answered after the target", "Unanswered past target"]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("bin:N", title="Response time (business hours)", sort=[b.label for b in report.histogram],
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("requests:Q", title="Requests", stack="zero"),
        color=alt.Color("outcome:N", title=None, scale=alt.Scale(domain=outcomes, range=[PURPLE, AMBER, RED]),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("outcome:N"),
        tooltip=[alt.Tooltip("bin:N", title="Response time"), alt.Tooltip("outcome:N", title="Outcome"),
                 alt.Tooltip("requests:Q", title="Requests")],
    ).properties(height=HEIGHT)
