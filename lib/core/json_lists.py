"""A page's short lists, ordered, as JSON values inside its main query: one round trip instead of one each.

SQLite has no ORDER BY inside an aggregate before 3.44, so there the rows are sorted in a subquery
first (SQLite aggregates them in that order); PostgreSQL sorts inside json_agg.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, func, select, type_coerce
from sqlalchemy.sql.expression import ColumnElement


def json_list(columns: list, where: list, order_by: list, dialect: str, json_columns: tuple = ()) -> ColumnElement:
    """A scalar subquery: the rows of SELECT columns WHERE … ORDER BY … as a JSON array of arrays.

    With an ORDER BY, the conditions may not refer to the enclosing query's row on SQLite (they sit in a
    subquery there); bind parameters may."""
    if dialect == "postgresql":
        agg = func.json_agg(func.json_build_array(*columns))
        stmt = select(agg.aggregate_order_by(*order_by) if order_by else agg).where(*where)
    elif not order_by:  # in any order: no subquery, so the list may refer to the enclosing query's row
        stmt = select(func.json_group_array(func.json_array(
            *(func.json(c) if any(c is j for j in json_columns) else c for c in columns)))).where(*where)
    else:
        inner = select(*columns).where(*where).order_by(*order_by).subquery()
        # json() here, not in the subquery: SQLite forgets that a value is JSON when it leaves a subquery.
        stmt = select(func.json_group_array(func.json_array(
            *(func.json(c) if any(src is j for j in json_columns) else c for c, src in zip(inner.c, columns)))))
    return type_coerce(stmt.scalar_subquery(), JSON)


def rows(value) -> list[list]:
    """The lists json_list gives (PostgreSQL gives NULL for no rows)."""
    return value or []


def timestamp(value: str | None) -> datetime | None:
    """A naive UTC datetime from JSON: SQLite's '2026-12-02 01:13:00.000000', PostgreSQL's '2026-12-02T01:13:00'."""
    return datetime.fromisoformat(value) if value else None
