"""The Altair charts: the practice's purple, the target and the practice median as dashed lines, bars in order."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pyarrow as pa

from lib.metrics.charts import PURPLE, histogram_chart, trend_charts
from lib.metrics.figures import Bar, Figures, Report, WeekPoint
from lib.metrics.periods import Period

WEEK = Figures(requests=4, answered=4, within_target=3, p50=5400.0, p90=9000.0)
FEW = Figures(requests=2, answered=2, within_target=2, p50=60.0, p90=60.0)


def report(therapist_id=None) -> Report:
    practice = Figures(requests=10, answered=10, within_target=5, p50=18000.0, p90=29160.0, cal50=1.0)
    return Report(
        period=Period(datetime(2026, 10, 25), datetime(2026, 11, 24), "the last 30 days"), now=datetime(2026, 11, 24),
        target_hours=4.0, therapist_id=therapist_id, scope_name="Alice Moreno" if therapist_id else "the practice",
        session_type=None, figures=WEEK, practice=practice, open_now=0, overdue_now=0,
        trend=[WeekPoint(date(2026, 11, 9), FEW), WeekPoint(date(2026, 11, 16), WEEK)],
        histogram=[Bar(0, 0.5, 2, 0, 0), Bar(0.5, 1, 1, 0, 0), Bar(34, None, 0, 1, 3)])


def spec(chart: dict) -> dict:
    """The spec as the browser gets it: JSON, with each named data source's Arrow rows read back."""
    rows = {name: pa.ipc.open_stream(data).read_all().to_pylist() for name, data in chart["datasets"].items()}
    return {**json.loads(json.dumps({k: v for k, v in chart.items() if k != "datasets"})), "datasets": rows}


def test_trend_shows_weekly_median_in_hours_with_no_point_for_a_thin_week_and_the_target_line():
    median, within = trend_charts(report(), "Practice")
    text = json.dumps(spec(median))

    assert PURPLE in text and '"strokeDash": [4, 4]' in text
    values = [row for rows in spec(median)["datasets"].values() for row in rows]
    weekly = {row["week"]: row["median"] for row in values if "week" in row}
    assert weekly == {"2026-11-09": None, "2026-11-16": 1.5}  # 2 counted requests that week: no figure
    assert {"line": "Target (4 h)", "y": 4.0} in values
    assert "Practice" not in [row.get("line") for row in values]  # the practice is the subject here


def test_beside_one_therapist_the_practice_median_is_a_dashed_line():
    median, within = trend_charts(report(therapist_id=1), "You")

    lines = {row["line"]: row["y"] for rows in spec(median)["datasets"].values() for row in rows if "line" in row}
    assert lines == {"Target (4 h)": 4.0, "Practice": 5.0}
    shares = {row["line"]: row["y"] for rows in spec(within)["datasets"].values() for row in rows if "line" in row}
    assert shares == {"Practice": 50.0}


def test_histogram_keeps_the_bins_in_order_and_stacks_the_three_outcomes():
    chart = spec(histogram_chart(report()))

    assert chart["encoding"]["x"]["sort"] == ["under 30 min", "30 min–1 h", "34 h or more"]
    assert chart["encoding"]["color"]["scale"]["domain"] == [
        "Answered within target", "Answered after the target", "Unanswered past target"]
    assert chart["encoding"]["color"]["scale"]["range"][0] == PURPLE


def test_charts_are_valid_vega_lite_and_each_view_gets_its_own_rows():
    import altair as alt

    first, _ = trend_charts(report(), "Practice")
    alt.LayerChart.from_dict(spec(first))  # Altair's own schema check of the filled-in spec
    alt.Chart.from_dict(spec(histogram_chart(report())))
    first["datasets"].clear()  # Streamlit takes the rows out of its copy: no other view's chart loses them
    again, _ = trend_charts(report(), "Practice")
    assert len(spec(again)["datasets"]["weeks"]) == 2


def test_an_empty_period_still_names_every_field():
    empty, _ = trend_charts(replace(report(), trend=[]), "Practice")

    table = pa.ipc.open_stream(empty["datasets"]["weeks"]).read_all()
    assert table.num_rows == 0 and table.column_names == ["week", "series", "median", "within", "counted"]


def test_the_week_axis_marks_the_mondays_the_weeks_start_on_read_in_utc():
    median, within = trend_charts(report(), "Practice")
    for chart in (median, within):
        layers = spec(chart)["layer"]
        weeks = [row["week"] for row in spec(chart)["datasets"]["weeks"]]
        assert weeks == ["2026-11-09", "2026-11-16"]  # the thin week too: the axis keeps it, without a point
        assert {date.fromisoformat(w).weekday() for w in weeks} == {0}
        x = layers[0]["encoding"]["x"]
        assert x["type"] == "ordinal" and x["field"] == "week"  # one mark per Monday, not Vega's Sunday weeks
        assert x["axis"]["labelExpr"].startswith("utcFormat(")  # read and shown in UTC, whatever the browser's zone
        assert layers[1]["encoding"]["x"]["field"] == "week"  # every week on the axis, a thin one too


def test_another_period_sends_new_rows_under_the_same_spec():
    """The browser updates a drawn chart in place when only its rows change; a changed spec makes it compile
    and draw the chart anew on every choice of period."""
    month = trend_charts(report(), "Practice")
    longer = replace(report(), trend=[WeekPoint(date(2026, 11, 2), WEEK), *report().trend])
    quarter = trend_charts(longer, "Practice")
    for a, b in zip(month, quarter):
        assert {k: v for k, v in a.items() if k != "datasets"} == {k: v for k, v in b.items() if k != "datasets"}
        assert a["datasets"]["weeks"] != b["datasets"]["weeks"]
