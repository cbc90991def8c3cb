"""Shared fixtures: real databases (SQLite file, PostgreSQL), a pinned clock, test data."""
from __future__ import annotations

import os
import sys
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BOOKING_DESK_DISPATCHER", "off")  # no background sending from app tests
os.environ.setdefault("APP_BASE_URL", "http://desk.test")
os.environ.setdefault("BOOKING_DESK_BCRYPT_ROUNDS", "4")  # fast hashes in tests only
os.environ.setdefault("BOOKING_DESK_SECRET", "test-only-secret-0123456789-abcdefghijklmnop")
# A Fernet key made for each test run (tests/integration/test_encryption.py checks it is used): never committed.
os.environ.setdefault("BOOKING_DESK_ENCRYPTION_KEYS", __import__("cryptography.fernet").fernet.Fernet.generate_key().decode())

from lib.core import clock, db  # noqa: E402
from lib.core.models import Base  # noqa: E402

IN_CI = os.environ.get("CI") == "true"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 24, 10, 0)  # a Tuesday, 10:00 London (GMT)


def skip_or_fail(reason: str):
    """Under CI=true a PostgreSQL or browser test may not be skipped."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this may not be skipped)")
    pytest.skip(reason)


def pytest_configure(config):
    for name in ("postgres: needs the local PostgreSQL server", "e2e: drives Chromium",
                 "slow: takes more than a few seconds"):
        config.addinivalue_line("markers", name)


@pytest.fixture(autouse=True)
def _pinned_clock():
    from lib.metrics import cache as metrics_cache
    from lib.practice import rules as practice
    from lib.practice import sign_in_rules

    clock.freeze(NOW)
    metrics_cache.forget()  # figures kept by an earlier test (same file name, other data) never leak
    practice.forget()  # likewise the practice's settings kept for the figures page
    sign_in_rules.forget()  # and the sign-in rules every click checks against
    yield
    clock.freeze(None)


@contextmanager
def own_pg_database(prefix: str):
    """An empty PostgreSQL database of its own (its URL), dropped afterwards."""
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        admin.dispose()
        skip_or_fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        db.dispose_all()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_server_url():
    from lib.core import migrate

    with own_pg_database("bd_test") as url:
        migrate.upgrade(url)
        yield url


def _truncate(url: str) -> None:
    eng = db.engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with eng.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """One migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    from lib.core import migrate

    migrate.upgrade(f"sqlite:///{path}")
    db.dispose_all()
    return path


def _sqlite_url(tmp_path, template) -> str:
    import shutil

    target = tmp_path / "booking_desk.db"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template, monkeypatch):
    url = _sqlite_url(tmp_path, sqlite_template)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    db.dispose_all()


@pytest.fixture
def pg_url(request, monkeypatch):
    url = request.getfixturevalue("pg_server_url")
    _truncate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, sqlite_template, monkeypatch):
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = _sqlite_url(tmp_path, sqlite_template)
        monkeypatch.setenv("DATABASE_URL", url)
        yield url
        db.dispose_all()
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def practice(db_url):
    from tests.factories import Practice

    return Practice.build()


@pytest.fixture
def sqlite_practice(sqlite_url):
    from tests.factories import Practice

    return Practice.build()
