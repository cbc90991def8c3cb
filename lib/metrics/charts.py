"""The response-time charts as Vega-Lite specs, in the practice's purple (no Streamlit here: testable alone).

Altair describes each chart once per process, over named data; a view only supplies its rows, as the
Arrow bytes Streamlit sends on (Streamlit passes `datasets` given as bytes through untouched). Building
and checking an Altair chart costs 10–15 ms, and a few rows through pandas about 0.5 ms: more than the
rest of a chart together.
"""
from __future__ import annotations

import json
from functools import lru_cache

import altair as alt
import pyarrow as pa

from lib.metrics.figures import Report, WeekPoint

PURPLE = "#6B3FA0"
LILAC = "#B9A3D9"
AMBER = "#E3A33B"
RED = "#B42318"
HEIGHT = 220
OUTCOMES = ["Answered within target", "Answered after the target", "Unanswered past target"]


def _points(series: str, trend: list[WeekPoint]) -> list[dict]:
    return [{
        "week": w.week_start.isoformat(), "series": series,
        "median": None if w.figures.median is None else round(w.figures.median / 3600, 2),
        "within": None if w.figures.within_share is None else round(w.figures.within_share * 100, 1),
        "counted": w.figures.counted,
    } for w in trend]


def _rules(report: Report, median: bool) -> list[dict]:
    """Dashed reference lines: the target, and (beside one therapist) the practice's figure for the period."""
    rows = [{"line": f"Target ({report.target_hours:g} h)", "y": report.target_hours}] if median else []
    if not report.is_practice:
        value = report.practice.median if median else report.practice.within_share
        if value is not None:
            rows.append({"line": "Practice", "y": round(value / 3600, 2) if median else round(value * 100, 1)})
    return rows


# The columns of each named data source, typed (an empty source still names its fields).
COLUMNS = {
    "weeks": {"week": pa.string(), "series": pa.string(), "median": pa.float64(), "within": pa.float64(),
              "counted": pa.int64()},
    "lines": {"line": pa.string(), "y": pa.float64()},
    "bars": {"bin": pa.string(), "order": pa.int64(), "outcome": pa.string(), "requests": pa.int64()},
}


def arrow_rows(name: str, rows: list[dict]) -> bytes:
    """Rows of one named data source as Arrow IPC stream bytes (what st.vega_lite_chart sends)."""
    return _arrow(name, tuple(tuple(r[c] for c in COLUMNS[name]) for r in rows))


@lru_cache(maxsize=256)  # a view of figures kept from a moment ago has the same few rows as the last one
def _arrow(name: str, rows: tuple[tuple, ...]) -> bytes:
    schema = pa.schema(COLUMNS[name].items())
    table = pa.Table.from_pydict(dict(zip(schema.names, map(list, zip(*rows)))) if rows else
                                 {c: [] for c in schema.names}, schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _fill(template: str, data: dict[str, list[dict]]) -> dict:
    """A fresh spec from a template, with each named data source's rows as Arrow bytes."""
    spec = json.loads(template)
    spec["datasets"] = {name: arrow_rows(name, rows) for name, rows in data.items()}
    return spec


@lru_cache(maxsize=64)
def _trend_template(median: bool, lines: tuple[str, ...]) -> str:
    # One spec for every period: a new period only sends new rows, and the browser updates the drawn chart
    # in place. A spec that changed with the period (its ticks listed in it) made the browser compile and
    # draw both charts anew on each choice: 20-40 ms of a manager's 160-200 ms wait (docs/benchmarks.md).
    # So the weeks are an ordered axis of their Mondays: one mark each (not Vega's own "week" ticks, which
    # fall on Sundays), read and labelled in UTC so no browser's time zone shifts them a day.
    x = alt.X("week:O", title="Week starting (Monday, practice time)",
              axis=alt.Axis(labelExpr="utcFormat(toDate(datum.value), '%-d %b')", labelAngle=0,
                            labelOverlap=True))
    tooltip = [alt.Tooltip("utcyearmonthdate(week):T", title="Week of", format="%-d %b %Y"),
               alt.Tooltip("median:Q", title="Median (business h)"),
               alt.Tooltip("within:Q", title="Within target (%)"), alt.Tooltip("counted:Q", title="Requests counted")]
    # The dots and the dashed lines repeat what the line and the legend say: hidden from screen readers (aria),
    # so an empty layer is no unlabelled graphic either (axe svg-img-alt; docs/accessibility.md).
    point = alt.OverlayMarkDef(color=PURPLE, filled=True, size=50, aria=False)
    y = alt.Y("median:Q", title="Median (business h)") if median else \
        alt.Y("within:Q", title="Within target (%)", scale=alt.Scale(domain=[0, 100]))
    line = alt.Chart(alt.NamedData(name="weeks")).mark_line(point=point, color=PURPLE, strokeWidth=2.5).encode(
        x=x, y=y, tooltip=tooltip)
    # Every week on the axis, a thin one too (its figure is empty, and the line leaves it out).
    weeks = alt.Chart(alt.NamedData(name="weeks")).mark_tick(opacity=0, aria=False).encode(x="week:O")
    colours = [RED if name.startswith("Target") else LILAC for name in lines]
    rules = alt.Chart(alt.NamedData(name="lines")).mark_rule(strokeDash=[4, 4], strokeWidth=2, aria=False).encode(
        y="y:Q", color=alt.Color("line:N", title=None, scale=alt.Scale(domain=list(lines), range=colours),
                                 legend=alt.Legend(orient="bottom") if lines else None),
        tooltip=[alt.Tooltip("line:N", title="Line"), alt.Tooltip("y:Q", title="Value")])
    return json.dumps((line + weeks + rules).properties(height=HEIGHT).to_dict())


def trend_charts(report: Report, own_label: str) -> tuple[dict, dict]:
    """Weekly median (business hours) and % within target, with the target and the practice as dashed lines."""
    weeks = _points(own_label, report.trend)
    charts = []
    for median in (True, False):
        lines = _rules(report, median)
        template = _trend_template(median, tuple(r["line"] for r in lines))
        charts.append(_fill(template, {"weeks": weeks, "lines": lines}))
    return charts[0], charts[1]


def histogram_rows(report: Report) -> list[dict]:
    rows = []
    for order, bar in enumerate(report.histogram):
        for outcome, n in zip(OUTCOMES, (bar.within, bar.late, bar.unanswered)):
            rows.append({"bin": bar.label, "order": order, "outcome": outcome, "requests": n})
    return rows


@lru_cache(maxsize=8)
def _histogram_template(bins: tuple[str, ...]) -> str:
    return json.dumps(alt.Chart(alt.NamedData(name="bars")).mark_bar().encode(
        x=alt.X("bin:N", title="Response time (business hours)", sort=list(bins), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("requests:Q", title="Requests", stack="zero"),
        color=alt.Color("outcome:N", title=None, scale=alt.Scale(domain=OUTCOMES, range=[PURPLE, AMBER, RED]),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("outcome:N"),
        tooltip=[alt.Tooltip("bin:N", title="Response time"), alt.Tooltip("outcome:N", title="Outcome"),
                 alt.Tooltip("requests:Q", title="Requests")],
    ).properties(height=HEIGHT).to_dict())


def histogram_chart(report: Report) -> dict:
    """How long requests waited for a first answer, in business hours, stacked by outcome."""
    return _fill(_histogram_template(tuple(b.label for b in report.histogram)), {"bars": histogram_rows(report)})
