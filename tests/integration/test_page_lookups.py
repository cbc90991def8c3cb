"""The pages' key lookups (lib.core.db.lookup): the rows and values the pages need, on both databases."""
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import StatementError

from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core import clock, db
from lib.core.errors import DatabaseUnavailable
from lib.core.models import Booking
from tests.factories import assess, book


@pytest.fixture
def busy_practice(practice):
    """Every kind of value the pages read: times, JSON answers, several attendees, history, messages, offers."""
    soon = (clock.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    confirmed = book(practice.alice, "Oliver Bennett", starts_at=soon)
    bookings.confirm(practice.alice, confirmed, 1)
    couple = book(practice.alice, "Priya Shah", starts_at=soon + timedelta(minutes=30), session_type="couple",
                  attendees=["Priya Shah", "Sam Shah"])
    assess(couple, phq9=[1, 2, 0, 1, 3, 0, 1, 2, 1], gad7=[1] * 7, help_with=["Anxiety"], free_text="Line one\nTwo")
    practice.ids.update(confirmed=confirmed, couple=couple, bobs=book(practice.bob, "Chen Wei"))
    return practice


def _same(stmt, params):
    """The lookup pool gives what a plain read gives (PostgreSQL plans it once per connection there)."""
    with db.reading() as conn:
        expected = [tuple(r) for r in conn.execute(stmt, params).all()]
    got = db.lookup(stmt, params)
    assert [tuple(r) for r in got] == expected
    return got


def test_the_dashboard_rows_carry_parts_json_and_datetimes(busy_practice):
    now = clock.now()
    for one_therapist, params in ((True, {"tid": busy_practice.alice.id}), (False, {})):
        stmt, counts = bookings._dashboard_statements(one_therapist, 100)
        params |= {"now": now, "until": now + timedelta(days=7)}
        rows = _same(stmt, params)
        assert {r.part for r in rows} == {"queue", "upcoming"}
        assert any(r.phq9 == [1, 2, 0, 1, 3, 0, 1, 2, 1] for r in rows)  # JSON comes back as a list
        assert all(r.starts_at.tzinfo is None and r.starts_at.year >= 2026 for r in rows)  # datetimes, not text
        _same(counts, params)


def test_the_session_page_row_has_the_client_and_the_clash_and_only_for_its_therapist(busy_practice, db_url):
    dialect = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    for own_only in (True, False):
        (row,) = _same(session_view._detail_statement(own_only, dialect),
                       {"bid": busy_practice.ids["couple"], "me": busy_practice.alice.id})
        assert row.client_name == "Priya Shah" and row.free_text == "Line one\nTwo"
        assert [c[0] for c in row.near_confirmed] == [busy_practice.ids["confirmed"]]  # the clash, found in SQL
    # Not hers: no row, whatever the id.
    assert db.lookup(session_view._detail_statement(True, dialect),
                     {"bid": busy_practice.ids["bobs"], "me": busy_practice.alice.id}) == []


def test_constants_written_into_the_sql_are_plain_words(practice):
    with pytest.raises(ValueError, match="plain word"):
        db.fixed("confirmed' OR '1'='1")
    assert db.lookup(select(Booking.id).where(Booking.status == db.fixed("awaiting_client")), {}) == []


def test_a_value_the_statement_needs_must_be_given_and_one_it_carries_is_sent(busy_practice):
    stmt = select(Booking.id).where(Booking.id == bindparam("bid"), Booking.duration_minutes > 10)
    assert [r.id for r in db.lookup(stmt, {"bid": busy_practice.ids["couple"]})] == [busy_practice.ids["couple"]]
    with pytest.raises(StatementError, match="bid"):
        db.lookup(stmt, {})


@pytest.mark.postgres
def test_a_dropped_connection_says_the_database_is_unreachable_and_the_next_read_works(pg_url, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)  # used moments ago: not tested first
    stmt = select(Booking.id).where(Booking.id == 1)
    assert db.lookup(stmt, {}) == []
    admin = db.engine(pg_url)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    with pytest.raises(DatabaseUnavailable):
        db.lookup(stmt, {})
    assert db.lookup(stmt, {}) == []  # the pool started afresh
    db.dispose_all()
