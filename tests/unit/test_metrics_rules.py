"""Pure pieces of the response-time figures: the no-figure rule, labels, safe CSV, the SQL calendar table."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lib.core.csv_safe import neutralise, to_csv
from lib.core.errors import InvalidInput
from lib.metrics.figures import Bar, Figures, hours_text
from lib.metrics.periods import between
from lib.metrics.sql import LocalClock, business_day_rows, to_epoch
from lib.practice.business_hours import BusinessCalendar, business_seconds_between


def test_fewer_than_three_counted_requests_give_no_figure():
    two = Figures(requests=4, answered=1, unanswered=1, waiting=2, within_target=1, p50=60.0, p90=90.0, cal50=60.0)
    three = Figures(requests=3, answered=3, within_target=2, p50=60.0, p90=90.0, cal50=60.0)

    assert two.median is None and two.within_share is None and two.share(0) is not None
    assert two.why_no_figure == "fewer than 3 requests answered or overdue (2 so far)"
    assert three.median == 60.0 and three.within_share == pytest.approx(2 / 3) and three.why_no_figure == ""


def test_chosen_dates_are_whole_local_days_and_at_most_three_years():
    summer = between(date(2026, 7, 1), date(2026, 7, 31), "Europe/London")
    assert (summer.start, summer.end) == (datetime(2026, 6, 30, 23), datetime(2026, 7, 31, 23))
    with pytest.raises(InvalidInput):
        between(date(2020, 1, 1), date(2026, 11, 24), "Europe/London")
    with pytest.raises(InvalidInput):
        between(date(2026, 11, 24), date(2026, 11, 1), "Europe/London")


@pytest.mark.parametrize("seconds, text", [(None, "—"), (0, "0 min"), (1799, "30 min"), (5400, "1 h 30 min"),
                                           (93600, "26 h")])
def test_hours_text_never_turns_business_hours_into_days(seconds, text):
    assert hours_text(seconds) == text


def test_histogram_bar_labels():
    assert [Bar(0, 0.5, 0, 0, 0).label, Bar(0.5, 1, 0, 0, 0).label, Bar(4, 6, 0, 0, 0).label,
            Bar(34, None, 0, 0, 0).label] == ["under 30 min", "30 min–1 h", "4–6 h", "34 h or more"]


@pytest.mark.parametrize("value", ["=1+2", "+44 20", "-3", "@SUM(A1)", "\tx", "\r=x"])
def test_text_a_spreadsheet_would_treat_as_a_formula_is_neutralised(value):
    assert neutralise(value) == "'" + value


def test_plain_text_and_numbers_pass_through():
    assert [neutralise(v) for v in ("Alice", "a=b", -3, 2.5, None)] == ["Alice", "a=b", -3, 2.5, None]
    assert to_csv(["Name", "n"], [["=x", -1], [None, 2]]) == "Name,n\n'=x,-1\n,2\n"


def test_local_clock_finds_both_clock_changes_of_a_year():
    lc = LocalClock.over("Europe/London", datetime(2026, 1, 1), datetime(2026, 12, 31))

    spring, autumn = to_epoch(datetime(2026, 3, 29, 1)), to_epoch(datetime(2026, 10, 25, 1))
    assert [c for c, _ in sorted(lc.changes)] == [spring, autumn]
    assert lc.local(to_epoch(datetime(2026, 7, 1, 12))) == to_epoch(datetime(2026, 7, 1, 13))
    assert lc.local(to_epoch(datetime(2026, 12, 1, 12))) == to_epoch(datetime(2026, 12, 1, 12))


def test_the_sql_calendar_table_adds_up_like_the_python_calendar():
    """cum(day) + opening time before t, differenced, equals business_seconds_between (what answers store)."""
    cal = BusinessCalendar()
    start, end = datetime(2026, 3, 20), datetime(2026, 4, 10)
    rows = {r[0]: r for r in business_day_rows(cal, start, end)[0]}  # (day, cum, a1, b1, ...)
    lc = LocalClock.over(cal.tz, start, end)

    def until(t: datetime) -> int:
        e = to_epoch(t)
        day = rows[lc.local(e) // 86400]
        spans = zip(day[2::2], day[3::2])
        return day[1] + sum(max(min(b, e) - a, 0) for a, b in spans)

    t = start
    while t < end:
        for later in (timedelta(hours=5), timedelta(days=3, hours=7), timedelta(days=9, minutes=13)):
            if t + later <= end:
                assert until(t + later) - until(t) == business_seconds_between(t, t + later, cal)
        t += timedelta(hours=7, minutes=31)
