"""Migration 0006: requests open when it runs get the working-week cut-off; nothing else changes."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from lib.core import migrate
from tests.conftest import own_pg_database

SATURDAY_0031 = datetime(2026, 11, 28, 0, 31)  # London is on GMT: naive UTC = wall clock
CALENDAR_CUT_OFF = SATURDAY_0031 + timedelta(hours=48)  # Monday 00:31, before the practice opens
OFFER_EXPIRES = datetime(2026, 11, 29, 9, 0)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request, tmp_path):
    """A database of its own, with no tables yet (the shared test databases are already at the head)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before_0006.db'}"
        return
    with own_pg_database("bd_mig") as url:
        yield url


BOOKINGS = sa.table("bookings", *(sa.column(c, sa.Integer()) for c in ("id", "therapist_id", "client_id",
                                                                        "relationship_id", "duration_minutes",
                                                                        "version")),
                    *(sa.column(c, sa.String()) for c in ("session_type", "delivery", "status", "requested_by")),
                    *(sa.column(c, sa.DateTime()) for c in ("starts_at", "requested_at", "response_due_at",
                                                             "expires_at")))


def _saturday_requests(conn) -> None:
    """Three requests made Saturday 00:31 for Thursday, as the calendar-hours code stored them."""
    t = SATURDAY_0031
    conn.execute(sa.table("users", *(sa.column(c) for c in ("id", "username", "name", "email", "role",
                                                            "password_hash", "timezone")),
                          sa.column("sms_opt_in", sa.Boolean()), sa.column("active", sa.Boolean()),
                          sa.column("created_at", sa.DateTime())).insert(),
                 dict(id=1, username="alice", name="Alice Moreno", email="alice@practice.example", role="therapist",
                      password_hash="x", timezone="Europe/London", sms_opt_in=False, active=True, created_at=t))
    conn.execute(sa.table("clients", *(sa.column(c) for c in ("id", "name", "email", "timezone")),
                          sa.column("created_at", sa.DateTime())).insert(),
                 dict(id=1, name="Hannah Whitfield", email="hannah@client.example", timezone="Europe/London",
                      created_at=t))
    conn.execute(sa.table("relationships", *(sa.column(c) for c in ("id", "therapist_id", "client_id")),
                          sa.column("started_at", sa.DateTime())).insert(),
                 dict(id=1, therapist_id=1, client_id=1, started_at=t))
    conn.execute(BOOKINGS.insert(), [
        dict(id=bid, therapist_id=1, client_id=1, relationship_id=1, session_type="individual",
             starts_at=t + timedelta(days=5), duration_minutes=50, delivery="online", status=status, requested_at=t,
             requested_by="client", response_due_at=CALENDAR_CUT_OFF, expires_at=expires, version=1)
        for bid, status, expires in ((1, "unconfirmed", CALENDAR_CUT_OFF), (2, "awaiting_client", OFFER_EXPIRES),
                                     (3, "confirmed", CALENDAR_CUT_OFF))])


def _rows(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(BOOKINGS.c.id, BOOKINGS.c.status, BOOKINGS.c.response_due_at,
                                      BOOKINGS.c.expires_at).order_by(BOOKINGS.c.id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_migration_gives_open_requests_the_working_week_cut_off_and_leaves_the_rest(empty_db_url):
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0005")
    engine = sa.create_engine(empty_db_url)
    with engine.begin() as conn:
        _saturday_requests(conn)
    engine.dispose()

    command.upgrade(config, "0006")

    assert _rows(empty_db_url) == [
        # Still open on Monday morning: 16 business hours after the request is Tuesday 16:30.
        (1, "unconfirmed", CALENDAR_CUT_OFF, datetime(2026, 12, 1, 16, 30)),
        (2, "awaiting_client", CALENDAR_CUT_OFF, OFFER_EXPIRES),  # the offer keeps its own 24 hours
        (3, "confirmed", CALENDAR_CUT_OFF, CALENDAR_CUT_OFF),
    ]


def test_migration_reads_the_practices_stored_rules(empty_db_url):
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0005")
    engine = sa.create_engine(empty_db_url)
    settings = sa.table("practice_settings", sa.column("key", sa.String()), sa.column("value", sa.JSON()))
    with engine.begin() as conn:
        _saturday_requests(conn)
        # A practice that opens on Saturdays (10:00-14:00) and saved the old calendar-hours schedule.
        week = {d: [["09:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [["10:00", "14:00"]]}
        old_schedule = [{"lead_under_hours": 72, "hours_before_start": 36},
                        {"lead_under_hours": None, "hours_after_request": 48}]
        conn.execute(settings.insert(), [{"key": "business_hours", "value": {"v": week}},
                                         {"key": "expiry_schedule", "value": {"v": old_schedule}}])
    engine.dispose()

    command.upgrade(config, "0006")

    # 48 calendar hours read as 16 business hours: 4 on Saturday, 8.5 on Monday, 3.5 on Tuesday.
    assert _rows(empty_db_url)[0] == (1, "unconfirmed", CALENDAR_CUT_OFF, datetime(2026, 12, 1, 12, 30))
