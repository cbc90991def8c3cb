"""Response-time figures from hand-worked requests, on SQLite and PostgreSQL (the `practice` fixture runs both)."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from lib.metrics import periods
from lib.metrics import report as metrics
from tests.integration.metrics_fixtures import ALICE, answer, build_alice, build_bob, london, request

H = 3600


@pytest.fixture
def booked(practice):
    build_alice(practice.alice)
    build_bob(practice.bob)
    return practice


def test_alice_over_the_year_median_p90_and_share_within_target(booked):
    period = periods.between(date(2026, 3, 1), date(2026, 11, 24), "Europe/London")
    f = metrics.report(booked.alice, period).figures

    # business seconds sorted: 1800, 5400, 5400, 9000, 9000, 21600
    assert f.answered == 6 and f.counted == 6
    assert f.median == 7200  # halfway between 5400 and 9000: 2 business hours
    assert f.p90_seconds == pytest.approx(15300)  # 9000 + 0.5 × (21600 − 9000)
    assert f.within_target == 5 and f.within_share == pytest.approx(5 / 6)
    assert f.median_calendar == 65 * H  # calendar hours: 6, 13.5, 65, 65, 67, 113


def test_each_hand_worked_request_stores_the_expected_business_and_calendar_time(booked):
    """The rows behind the figures: each of Alice's requests, in business and calendar hours."""
    from lib.metrics.export import rows_csv

    period = periods.between(date(2026, 3, 1), date(2026, 11, 24), "Europe/London")
    lines = list(csv.DictReader(io.StringIO(rows_csv(booked.alice, period))))
    got = sorted((float(r["Response (business hours)"]), float(r["Response (calendar hours)"])) for r in lines)
    want = sorted((round(b / H, 2), round(c / H, 2)) for _, _, b, c in ALICE)
    assert got == want


def test_practice_last_30_days_counts_ignored_and_expired_requests_as_misses(booked):
    r = metrics.report(booked.morgan)
    f = r.figures

    assert r.period.label == "the last 30 days"
    # Alice: 5400, 1800, 21600; Bob: unanswered 9.5 h so far (34200), expired after 5 h (18000)
    assert (f.answered, f.unanswered, f.counted) == (3, 2, 5)
    assert f.median == 18000
    assert f.p90_seconds == pytest.approx(29160)  # 21600 + 0.6 × (34200 − 21600)
    assert f.within_target == 2 and f.within_share == pytest.approx(0.4)
    assert f.median_calendar == 13.5 * H
    # Bob's request still in time is not counted yet; the cancelled one is left out and counted
    assert (f.requests, f.waiting, f.cancelled, f.expired, f.declined) == (6, 1, 1, 1, 0)
    assert f.share(f.expired) == pytest.approx(1 / 6)
    assert (r.open_now, r.overdue_now) == (2, 1)


def test_manager_table_marks_therapists_faster_than_the_practice_median(booked):
    rows = {row.name: row for row in metrics.report(booked.morgan).therapists}

    alice, bob = rows["Alice Moreno"], rows["Bob Okafor"]
    assert alice.figures.median == 5400 and alice.faster_than_practice is True
    assert bob.figures.median is None and bob.faster_than_practice is None  # only 2 counted: no figure
    assert (bob.open_now, bob.overdue_now) == (2, 1)


def test_fewer_than_three_requests_give_no_figure_and_say_why(booked):
    f = metrics.report(booked.bob).figures

    assert f.counted == 2
    assert f.median is None and f.p90_seconds is None and f.within_share is None
    assert "fewer than 3" in f.why_no_figure


def test_therapist_sees_own_figures_beside_the_practice_and_no_table(booked):
    r = metrics.report(booked.alice)

    assert r.scope_name == "Alice Moreno"
    assert r.figures.median == 5400
    assert r.practice.median == 18000
    assert r.therapists == []


def test_weekly_trend_of_the_median_and_share_within_target(booked):
    trend = {w.week_start: w.figures for w in metrics.report(booked.morgan).trend}

    week = trend[date(2026, 11, 16)]  # 21600, 1800, 18000 (expired), 5400
    assert week.counted == 4 and week.median == 11700 and week.within_share == 0.5
    assert trend[date(2026, 11, 23)].median is None  # one counted request that week


def test_histogram_puts_each_request_in_its_bar(booked):
    bars = {b.label: b for b in metrics.report(booked.morgan).histogram}

    assert bars["under 30 min"].within == 0 and bars["30 min–1 h"].within == 1  # 1800 s sits on the edge
    assert bars["1–2 h"].within == 1
    assert bars["4–6 h"].unanswered == 1  # expired after 5 h
    assert bars["6–8 h"].late == 1
    assert bars["8–17 h"].unanswered == 1  # 9.5 h and counting


def test_requests_on_either_side_of_monday_midnight_in_summer_time_land_in_their_own_weeks(practice):
    alice = practice.alice
    before = request(alice, "2026-10-18 23:30")  # Sunday, BST (22:30 UTC)
    after = request(alice, "2026-10-19 00:30", starts_after=timedelta(days=11))  # Monday
    answer(alice, before, "2026-10-19 10:00")
    answer(alice, after, "2026-10-19 11:00")
    period = periods.between(date(2026, 10, 1), date(2026, 10, 31), "Europe/London")

    weeks = {w.week_start: w.figures.answered for w in metrics.report(practice.morgan, period).trend}
    assert weeks == {date(2026, 10, 12): 1, date(2026, 10, 19): 1}
    assert london("2026-10-19 00:30").day == 18  # (it is still Sunday in UTC)
