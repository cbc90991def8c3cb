"""Pooled PostgreSQL connections: one that sat idle is tested before use; one used moments ago is not."""
import pytest
from sqlalchemy import create_engine, select, text

from lib.core import db
from lib.core.errors import DatabaseUnavailable

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _fresh_pools_after():
    """These tests kill the server's connections; the next test's clean-up must not meet the dead ones."""
    yield
    db.dispose_all()


def _kill_pooled_connections(url: str) -> None:
    """What a server restart does to the connections in our pool."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()


def test_an_idle_connection_that_was_dropped_is_replaced_unseen(pg_url, monkeypatch):
    with db.reading() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    _kill_pooled_connections(pg_url)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle long enough to be tested

    with db.reading() as conn:
        assert conn.execute(text("SELECT 2")).scalar() == 2


def test_a_connection_used_moments_ago_is_not_tested_and_a_drop_shows_once(pg_url, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    with db.reading() as conn:
        conn.execute(text("SELECT 1"))
    _kill_pooled_connections(pg_url)

    with pytest.raises(DatabaseUnavailable):  # the page says "can't reach the database", nothing half-done
        with db.reading() as conn:
            conn.execute(text("SELECT 1"))
    with db.reading() as conn:  # the pool started afresh: the next view works
        assert conn.execute(text("SELECT 3")).scalar() == 3
    with db.unit_of_work(write=True) as s:  # and so did the other pools: no second page finds out
        assert s.execute(text("SELECT 4")).scalar() == 4
    assert db.lookup(select(db.fixed(5).label("n")), {})[0].n == 5  # the pages' lookup pool
