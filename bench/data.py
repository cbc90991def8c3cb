"""The large data sets the benchmarks share: seeded once per `make bench` run."""
from __future__ import annotations

import os
import tempfile
import time
import uuid
from functools import cache

from lib.core import db, migrate
from lib.demo.bulk import seed_bulk

BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "1000000"))
THERAPISTS = int(os.environ.get("BENCH_THERAPISTS", "2000"))
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_workdir = tempfile.mkdtemp(prefix="booking-desk-bench-")


def _seed(url: str, label: str) -> str:
    migrate.upgrade(url)
    started = time.monotonic()
    seed_bulk(BOOKINGS, THERAPISTS, url=url)
    print(f"  seeded {BOOKINGS:,} bookings / {THERAPISTS:,} therapists on {label} "
          f"in {time.monotonic() - started:.0f} s", flush=True)
    if url.startswith("postgresql"):
        # Write the load's pages out now, so the figures measure a server at rest rather than one still
        # writing a million rows to disk in the background.
        _admin("CHECKPOINT")
    return url


@cache
def large_sqlite() -> str:
    return _seed(f"sqlite:///{_workdir}/large.db", "SQLite")


def _admin(sql: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(sql)
    admin.dispose()


_made: list[str] = []  # this run's databases: others may be running benchmarks on the same server


def _new_postgres() -> str:
    name = f"bd_bench_{uuid.uuid4().hex[:8]}"
    _made.append(name)
    _admin(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@cache
def large_postgres() -> str:
    return _seed(_new_postgres(), "PostgreSQL")


def fresh_postgres() -> str:
    url = _new_postgres()
    migrate.upgrade(url)
    return url


def drop_postgres(url: str) -> None:
    """Drop one bench database now (a big one, to free the disk before the next suite)."""
    db.dispose_all()
    _admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def fresh_sqlite(name: str) -> str:
    url = f"sqlite:///{_workdir}/{name}-{uuid.uuid4().hex[:6]}.db"
    migrate.upgrade(url)
    return url


def clean_up() -> None:
    """Called at the end of a run: remove this run's files and PostgreSQL databases."""
    import shutil

    drop_postgres_databases()
    shutil.rmtree(_workdir, ignore_errors=True)


def drop_postgres_databases() -> None:
    """Remove this run's bench databases (not every bd_bench_ one: another run may be using its own)."""
    db.dispose_all()
    while _made:
        _admin(f'DROP DATABASE IF EXISTS "{_made.pop()}" WITH (FORCE)')
