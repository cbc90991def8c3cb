"""Engine and unit of work.

`unit_of_work()` is the only way service code touches the database: it commits
only when the block ends without an error, so an action is never half-done.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session

from lib import config
from lib.errors import DatabaseUnavailable

PING_AFTER_IDLE_SECONDS = 10.0
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine(url: str | None = None) -> Engine:
    url = url or config.database_url()
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
            except Exception as exc:  # noqa: BLE001 — any failure means: not this connection
                raise DisconnectionError() from exc
            if not alive:
                raise DisconnectionError()

    return eng


def is_postgres(url_or_engine=None) -> bool:
    eng = url_or_engine if isinstance(url_or_engine, Engine) else engine(url_or_engine)
    return eng.dialect.name == "postgresql"


def dispose_all() -> None:
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()
        _readers.clear()


_readers: dict[Engine, Engine] = {}


def _reader(eng: Engine) -> Engine:
    """Reads without BEGIN and COMMIT (each statement sees committed data): two round trips less on
    PostgreSQL, two statements less on SQLite, for a page that only reads."""
    with _lock:
        if eng not in _readers:
            _readers[eng] = eng.execution_options(
                **{"isolation_level": "AUTOCOMMIT"} if eng.dialect.name == "postgresql"
                else {"read_only_autocommit": True})  # pysqlite runs without BEGIN as we connect it
        return _readers[eng]


@contextmanager
def unit_of_work(write: bool = False, url: str | None = None, read_only: bool = False) -> Iterator[Session]:
    """A session whose work commits together at the end, or not at all.

    `read_only`: for a page's reads that need no consistent snapshot across statements (each one
    still sees committed data only); on PostgreSQL each statement is then its own transaction.
    """
    eng = engine(url)
    bind = eng.execution_options(begin_immediate=True) if write else _reader(eng) if read_only else eng
    session = Session(bind=bind, expire_on_commit=False, autoflush=True)
    try:
        yield session
        session.commit()
    except (OperationalError, DBAPIError) as exc:
        session.rollback()
        _raise_if_unreachable(exc)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def reading(url: str | None = None) -> Iterator[Connection]:
    """A plain connection for a page's column-only reads: no ORM session to build and tear down.

    Each statement is its own transaction (as in `unit_of_work(read_only=True)`).
    """
    try:
        with _reader(engine(url)).connect() as conn:
            yield conn
    except (OperationalError, DBAPIError) as exc:
        _raise_if_unreachable(exc)
        raise


def _raise_if_unreachable(exc: DBAPIError) -> None:
    if exc.connection_invalidated or _is_connection_error(exc):
        raise DatabaseUnavailable() from exc


def _is_connection_error(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower() if exc.orig else str(exc).lower()
    return any(
        s in text
        for s in ("connection refused", "could not connect", "server closed", "unable to open database",
                  "connection failed", "terminating connection", "connection is closed")
    )
