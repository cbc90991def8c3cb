"""Migration 0011 on a database written before it: stored answers are encrypted, earlier audit entries chained."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from lib.audit import chain as audit_chain
from lib.bookings import detail as session_view
from lib.core import crypto, db, migrate
from lib.people.auth import actor_for

ROWS = [
    "INSERT INTO users (id, username, name, email, role, password_hash, timezone, sms_opt_in, active, created_at) "
    "VALUES (1, 'alice', 'Alice Moreno', 'a@p.example', 'therapist', 'x', 'Europe/London', 0, 1, '2026-11-01 09:00:00')",
    "INSERT INTO clients (id, name, email, timezone, created_at) VALUES (1, 'Hannah W', 'h@c.example', "
    "'Europe/London', '2026-11-01 09:00:00')",
    "INSERT INTO relationships (id, therapist_id, client_id, started_at) VALUES (1, 1, 1, '2026-11-01 09:00:00')",
    "INSERT INTO bookings (id, therapist_id, client_id, relationship_id, session_type, starts_at, duration_minutes, "
    "delivery, status, requested_at, requested_by, response_due_at, version) VALUES (1, 1, 1, 1, 'individual', "
    "'2026-11-26 11:00:00', 50, 'online', 'unconfirmed', '2026-11-24 09:00:00', 'client', '2026-11-24 13:00:00', 1)",
    "INSERT INTO assessments (id, relationship_id, phq9, gad7, help_with, free_text, updated_at) VALUES (1, 1, "
    "'[1, 2, 3, 0, 1, 2, 3, 0, 1]', '[1, 1]', '[\"Anxiety\"]', 'Written before encryption', '2026-11-24 09:30:00')",
    "INSERT INTO audit_log (at, username, action, booking_id, client_id) VALUES ('2026-11-24 09:40:00', 'alice', "
    "'view_session', 1, 1)",
    "INSERT INTO audit_log (at, username, action) VALUES ('2026-11-24 09:41:00', 'alice', 'logout')",
]


def database_at(tmp_path, monkeypatch, revision: str, rows: list[str]) -> str:
    """A SQLite database at an earlier migration, with these rows written as that release would have."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    command.upgrade(migrate.alembic_config(url), revision)
    eng = create_engine(url)
    with eng.begin() as conn:
        for row in rows:
            conn.exec_driver_sql(row)
    eng.dispose()
    return url


@pytest.fixture
def old_database(tmp_path, monkeypatch):
    yield database_at(tmp_path, monkeypatch, "0010", ROWS)
    db.dispose_all()


def test_the_migration_encrypts_stored_answers_and_chains_earlier_entries(old_database):
    migrate.upgrade(old_database)
    with db.engine(old_database).connect() as conn:
        stored = conn.execute(text("SELECT phq9, free_text FROM assessments")).one()
    assert stored.phq9.startswith("gAAAA") and "Written" not in stored.free_text
    shown = session_view.get_for(actor_for("alice"), 1).assessment
    assert shown.phq9[:3] == [1, 2, 3] and shown.free_text == "Written before encryption"
    verdict = audit_chain.verify(old_database)
    assert verdict.ok and verdict.entries == 2


def test_without_a_key_the_migration_stops_and_changes_nothing(old_database, monkeypatch, tmp_path):
    monkeypatch.delenv(crypto.ENV)
    monkeypatch.setattr(crypto, "DEMO_KEY_FILE", tmp_path / "none.key")
    with pytest.raises(RuntimeError, match="must be set before this migration"):
        migrate.upgrade(old_database)
    with db.engine(old_database).connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0010"
        assert conn.scalar(text("SELECT free_text FROM assessments")) == "Written before encryption"
    assert not (tmp_path / "none.key").exists()
