"""Engine and unit of work.

`unit_of_work()` is the only way service code touches the database: it commits
only when the block ends without an error, so an action is never half-done.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Executable, Integer, Row, String, create_engine, event, literal_column
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session

from lib.core import config
from lib.core.errors import DatabaseUnavailable

PING_AFTER_IDLE_SECONDS = 10.0
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine(url: str | None = None) -> Engine:
    url = url or config.database_url()
    if (eng := _engines.get(url)) is not None:  # every read asks: no lock once it exists
        return eng
    with _lock:
        if url not in _engines:
            _engines[url] = _make_engine(url)
        return _engines[url]


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        eng = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(eng, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            # Let SQLAlchemy, not pysqlite, say when transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(eng, "begin")
        def _sqlite_begin(conn):
            options = conn.get_execution_options()
            if options.get("read_only_autocommit"):
                return  # a page's reads: each statement on its own, as on PostgreSQL (see _reader)
            # Writers take the write lock up front, so two writers queue instead of failing.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("begin_immediate") else "BEGIN")

        return eng
    eng = create_engine(url, pool_size=10, max_overflow=20)
    _test_when_idle(eng)
    _start_afresh_together(eng)
    return eng


def _test_when_idle(eng: Engine) -> None:
    """A PostgreSQL pool tests a connection before use only if it sat unused for a while."""

    @event.listens_for(eng, "checkin")
    def _idle_from(_dbapi_conn, record):
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(eng, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):
        # A connection that sat unused may have been dropped (a restarted server, a network blip): test it
        # first, and the pool replaces it unseen. One used moments ago is not tested: a round trip on every
        # page. If the server went away since, that page says so and the pool starts afresh.
        idle_from = record.info.get("idle_from")
        if idle_from is not None and time.monotonic() - idle_from > PING_AFTER_IDLE_SECONDS:
            try:
                alive = eng.dialect.do_ping(dbapi_conn)
            except Exception as exc:
                raise DisconnectionError() from exc
            if not alive:
                raise DisconnectionError()


def is_postgres(url_or_engine=None) -> bool:
    eng = url_or_engine if isinstance(url_or_engine, Engine) else engine(url_or_engine)
    return eng.dialect.name == "postgresql"


def dispose_all() -> None:
    with _lock:
        for eng in [*_engines.values(), *_readers.values()]:
            eng.dispose()
        _engines.clear()
        _readers.clear()


_readers: dict[tuple[Engine, bool], Engine] = {}


def _start_afresh_together(eng: Engine, writer: Engine | None = None) -> None:
    """A connection found dropped means the server went away (a restart): SQLAlchemy then starts that
    pool afresh, and this starts the database's other pools afresh too, so one page, not one per pool,
    finds out."""

    @event.listens_for(eng, "handle_error")
    def _dropped(context):
        if context.is_disconnect:
            start_others_afresh(eng, writer or eng)


def start_others_afresh(eng: Engine, writer: Engine) -> None:
    """After `eng` found a dropped connection: the writer's other pools start afresh."""
    for other in [writer, *(r for (w, _), r in list(_readers.items()) if w is writer)]:
        if other is not eng:
            other.dispose(close=False)


def reader(eng: Engine, lookups: bool = False) -> Engine:
    """Reads without BEGIN and COMMIT (each statement sees committed data): two round trips less on
    PostgreSQL, two statements less on SQLite, for a page that only reads.

    On PostgreSQL the readers have a pool of their own whose connections are born in autocommit, so
    nothing is switched on checkout or rolled back on return. `lookups`: a pool for statements that
    find rows by key (a session, a therapist's queue), whose plan does not depend on the values asked
    for: PostgreSQL plans each of those once per connection instead of on every run. The figures'
    range scans keep a plan made for their values (a generic one is twice as slow there).
    """
    if (pool := _readers.get((eng, lookups))) is not None:
        return pool
    with _lock:
        if (eng, lookups) not in _readers:
            if eng.dialect.name != "postgresql":  # pysqlite runs without BEGIN as we connect it
                _readers[eng, lookups] = eng.execution_options(read_only_autocommit=True)
            else:
                options = {"options": "-c plan_cache_mode=force_generic_plan"} if lookups else {}
                pool = create_engine(eng.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                                     pool_size=5, max_overflow=10, connect_args=options)
                _test_when_idle(pool)
                _start_afresh_together(pool, eng)
                _readers[eng, lookups] = pool
        return _readers[eng, lookups]


@contextmanager
def unit_of_work(write: bool = False, url: str | None = None, read_only: bool = False) -> Iterator[Session]:
    """A session whose work commits together at the end, or not at all.

    `read_only`: for a page's reads that need no consistent snapshot across statements (each one
    still sees committed data only); on PostgreSQL each statement is then its own transaction.
    """
    eng = engine(url)
    bind = eng.execution_options(begin_immediate=True) if write else reader(eng) if read_only else eng
    session = Session(bind=bind, expire_on_commit=False, autoflush=True)
    try:
        yield session
        session.commit()
    except (OperationalError, DBAPIError) as exc:
        session.rollback()
        raise_if_unreachable(exc)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def reading(url: str | None = None, lookups: bool = False) -> Iterator[Connection]:
    """A plain connection for a page's column-only reads: no ORM session to build and tear down.

    Each statement is its own transaction (as in `unit_of_work(read_only=True)`). `lookups`: on the pool
    for statements that find rows by key (see `reader`).
    """
    try:
        with reader(engine(url), lookups).connect() as conn:
            yield conn
    except (OperationalError, DBAPIError) as exc:
        raise_if_unreachable(exc)
        raise


def lookup(stmt: Executable, values: dict, url: str | None = None) -> list[Row]:
    """All rows of a page's key lookup (the dashboard, a session, the open queue), read on the lookup pool."""
    with reading(url, lookups=True) as conn:
        return list(conn.execute(stmt, values).all())


def fixed(value: str | int) -> ColumnElement:
    """A constant written into the SQL rather than sent as a parameter (a status, a limit).

    PostgreSQL plans a lookup once per connection (`reader`), before it sees any parameter: a status
    sent as one would be planned as "any status", which here means reading the whole table."""
    if isinstance(value, int):
        return literal_column(str(int(value)), Integer)
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a plain word: {value!r}")
    return literal_column(f"'{value}'", String)


def raise_if_unreachable(exc: DBAPIError) -> None:
    if exc.connection_invalidated or _is_connection_error(exc):
        raise DatabaseUnavailable() from exc


def _is_connection_error(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower() if exc.orig else str(exc).lower()
    return any(
        s in text
        for s in ("connection refused", "could not connect", "server closed", "unable to open database",
                  "connection failed", "terminating connection", "connection is closed")
    )


