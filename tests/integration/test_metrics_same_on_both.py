"""SQLite works percentiles out with window functions, PostgreSQL with percentile_cont: the same figures."""
from __future__ import annotations

from datetime import date

import pytest

from lib.core.access import Actor
from lib.demo.bulk import seed_bulk
from lib.metrics import periods
from lib.metrics import report as metrics

pytestmark = pytest.mark.postgres

MANAGER = Actor(id=0, username="manager", name="A Manager", role="manager", timezone="Europe/London")
YEAR = periods.between(date(2025, 11, 25), date(2026, 11, 24), "Europe/London")


def _reports(url: str, monkeypatch) -> list:
    monkeypatch.setenv("DATABASE_URL", url)
    seed_bulk(4000, 12, url=url, seed=11)  # two years of requests, answered or not, in every status
    therapist = metrics.report(MANAGER).therapists[0]
    me = Actor(therapist.therapist_id, "t", therapist.name, "therapist", "Europe/London")
    return [
        metrics.report(MANAGER),
        metrics.report(MANAGER, YEAR),
        metrics.report(MANAGER, YEAR, session_type="couple"),
        metrics.report(MANAGER, YEAR, therapist_id=therapist.therapist_id),
        metrics.report(me, YEAR),
    ]


def test_sqlite_and_postgresql_give_identical_figures(sqlite_url, pg_url, monkeypatch):
    on_sqlite = _reports(sqlite_url, monkeypatch)
    on_postgres = _reports(pg_url, monkeypatch)

    practice = on_sqlite[1]
    assert practice.figures.counted > 1000 and len(practice.therapists) == 12
    assert practice.figures.median is not None and practice.figures.unanswered > 0
    for a, b in zip(on_sqlite, on_postgres):
        assert a == b  # every count, median, p90, calendar median, week and bar, to the last bit
