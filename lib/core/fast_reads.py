"""A page's hot reads: a Core select compiled once per database and run straight on the pooled driver cursor.

The dashboard and the session page each read with one fixed statement on every view. SQLAlchemy's
execute() does much per call that such a statement does not need (options, events, a cache lookup, a
result object): on a busy app server that was as much as the query itself. Values still go through
SQLAlchemy's own converters for the database, so rows come out as `conn.execute()` gives them
(tests/integration/test_fast_reads.py compares the two on SQLite and PostgreSQL).
"""
from __future__ import annotations

import threading
from collections import namedtuple

from sqlalchemy import Integer, String, literal_column
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

from lib.core import db
from lib.core.errors import DatabaseUnavailable


def fixed(value: str | int):
    """A constant written into the SQL rather than sent as a parameter (a status, a limit).

    PostgreSQL plans a lookup once per connection (db.reader), before it sees any parameter: a status
    sent as one would be planned as "any status", which here means reading the whole table."""
    if isinstance(value, int):
        return literal_column(str(int(value)), Integer)
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a plain word: {value!r}")
    return literal_column(f"'{value}'", String)


class Compiled:
    """A select compiled for one database, with the converters of its parameters and columns."""

    def __init__(self, stmt: Select, dialect: Dialect):
        compiled = stmt.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:  # e.g. an IN list, written into the SQL on each run
            raise ValueError("fast_reads takes statements whose SQL is complete when compiled")
        self.sql = compiled.string
        self._compiled = compiled
        self._order = list(compiled.positiontup) if compiled.positional else None
        self._binds = {name: f for bp, name in compiled.bind_names.items()
                       if (f := bp.type.dialect_impl(dialect).bind_processor(dialect))}
        # Each parameter: its name in the SQL, the key a caller gives it by, and the value the statement
        # carries (e.g. a number of minutes), as construct_params() finds them, found once.
        self._params = [(name, bp.key, bp) for bp, name in compiled.bind_names.items()]
        self._results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in stmt.selected_columns]
        self._row = namedtuple("Row", stmt.selected_columns.keys(), rename=True)

    def parameters(self, values: dict):
        p = {}
        for name, key, bp in self._params:  # construct_params() did this with much else, at 0.04 ms a read
            if key in values:
                p[name] = values[key]
            elif bp.required:
                raise ValueError(f"a value is required for {key!r}")
            else:
                p[name] = bp.effective_value
        for name, convert in self._binds.items():
            p[name] = convert(p[name])
        return [p[name] for name in self._order] if self._order is not None else p

    def rows(self, raw: list) -> list:
        results, row = self._results, self._row
        return [row(*[f(v) if f else v for f, v in zip(results, r)]) for r in raw]


_compiled: dict[tuple[Select, str], Compiled] = {}
_lock = threading.Lock()


def _for(stmt: Select, dialect: Dialect) -> Compiled:
    key = (stmt, dialect.name)
    if key not in _compiled:
        with _lock:
            _compiled.setdefault(key, Compiled(stmt, dialect))
    return _compiled[key]


def fetch(stmt: Select, values: dict, lookups: bool = True, url: str | None = None) -> list:
    """All rows of a fixed select (build it once, e.g. in an lru_cache), as named tuples.

    Like `db.reading()`: each statement sees committed data; `lookups` as there. A dropped connection
    gives DatabaseUnavailable, and the pools start afresh.
    """
    writer = db.engine(url)
    reader = db.reader(writer, lookups)
    compiled = _for(stmt, reader.dialect)
    try:
        conn = reader.raw_connection()  # from the pool, tested first if it sat idle
    except DBAPIError as exc:
        db.raise_if_unreachable(exc)
        raise
    cursor = None
    try:
        cursor = conn.cursor()
        cursor.execute(compiled.sql, compiled.parameters(values))
        return compiled.rows(cursor.fetchall())
    except reader.dialect.loaded_dbapi.Error as exc:
        if reader.dialect.is_disconnect(exc, conn.dbapi_connection, cursor):
            conn.invalidate(exc)
            db.start_others_afresh(reader, writer)
            raise DatabaseUnavailable() from exc
        raise
    finally:
        if cursor is not None:
            cursor.close()
        conn.close()  # back to the pool
