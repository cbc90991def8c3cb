"""Migration 0016 on a database written before it: an expired request gets the wait it kept at its expiry,
the figures' rows are rebuilt with each request's hour, and going back restores the older shape."""
from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import text

from lib.bookings import metric_digest
from lib.core import db, migrate
from tests.integration.test_data_lifecycle_migration import ROWS, database_at

EXPIRED = ("INSERT INTO bookings (id, therapist_id, client_id, relationship_id, session_type, starts_at, "
           "duration_minutes, delivery, status, requested_at, requested_by, response_due_at, expires_at, version) "
           "VALUES (2, 1, 1, 1, 'individual', '2026-11-26 11:00:00', 50, 'online', 'expired', "
           "'2026-11-24 09:00:00', 'client', '2026-11-24 13:00:00', '2026-11-24 23:00:00', 2)")


@pytest.fixture
def before_0016(tmp_path, monkeypatch):
    yield database_at(tmp_path, monkeypatch, "0015", ROWS[:3] + [EXPIRED])
    db.dispose_all()


def _state(url: str) -> tuple:
    with db.engine(url).connect() as conn:
        wait = conn.scalar(text("SELECT response_business_seconds FROM bookings WHERE id = 2"))
        digests = [json.loads(d) for d in conn.scalars(text("SELECT digest FROM metric_practice_days"))]
    return wait, [d for d in digests if d.get("p") or d.get("s") or d.get("r")]


def test_an_expired_request_keeps_its_wait_and_the_rows_are_rebuilt_both_ways(before_0016):
    migrate.upgrade(before_0016)
    wait, days = _state(before_0016)
    assert wait == 8.5 * 3600  # 09:00 to 23:00 on a Tuesday: the business day from 09:00 to 17:30
    assert len(days) == 1 and days[0]["r"] == []
    assert "s" not in days[0]  # the older shape's key: only a previous release's server writes it
    (group,) = days[0]["p"]
    assert group[:5] == ["individual", 0, "expired", "u", 1] and list(metric_digest.unpack(group[5])) == [30600]
    assert group[7] == "J"  # requested at 09:00 UTC
    assert list(metric_digest.unpack(days[0]["tp"][0])) == [1]  # 0017: whose it is (therapist 1)

    command.downgrade(migrate.alembic_config(before_0016), "0015")
    wait, days = _state(before_0016)
    assert wait is None  # the older code works an unanswered wait out itself
    assert days[0]["s"] == [] and "p" not in days[0] and [fact[0] for fact in days[0]["r"]] == [2]
