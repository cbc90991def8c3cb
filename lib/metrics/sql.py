"""SQL building blocks for the response-time figures, giving identical numbers on SQLite and PostgreSQL.

Business hours, the practice's local weeks and percentiles are all worked out in the
database: Python only supplies small tables (one row per day of the period, the dates
the clocks change), never reads the bookings.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Float, Integer, case, cast, column, func, literal, values
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from lib.practice.business_hours import BusinessCalendar

DAY = 86400
WEEK = 7 * DAY
_EPOCH = datetime(1970, 1, 1)


class epoch(FunctionElement):
    """Whole seconds since 1970 of a naive-UTC datetime column."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch)
def _epoch_pg(element, compiler, **kw):
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class greatest(FunctionElement):
    type = BigInteger()
    inherit_cache = True


class least(FunctionElement):
    type = BigInteger()
    inherit_cache = True


@compiles(greatest)
def _greatest(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"MAX({compiler.process(element.clauses, **kw)})"


@compiles(least)
def _least(element, compiler, **kw):
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"MIN({compiler.process(element.clauses, **kw)})"


def to_epoch(value: datetime) -> int:
    return int((value - _EPOCH).total_seconds() // 1)


def from_epoch(seconds: float) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


@dataclass(frozen=True)
class LocalClock:
    """The practice's wall clock over a range: UTC epoch → local epoch, with the DST changes as a CASE."""

    changes: tuple[tuple[int, int], ...]  # (from this UTC epoch, offset seconds), newest first
    first_offset: int

    @classmethod
    def over(cls, tz: str, start: datetime, end: datetime) -> LocalClock:
        zone = ZoneInfo(tz)

        def offset(epoch_s: int) -> int:
            utc = datetime.fromtimestamp(epoch_s, UTC)
            shift = utc.astimezone(zone).utcoffset()
            assert shift is not None  # an aware datetime always has an offset
            return int(shift.total_seconds())

        lo, hi = to_epoch(start) - 2 * DAY, to_epoch(end) + 2 * DAY
        first = offset(lo)
        changes, current, t = [], first, lo
        while t < hi:  # the offset is checked every 6 hours, then the exact second is bisected
            nxt = min(t + 6 * 3600, hi)
            if offset(nxt) != current:
                a, b = t, nxt
                while b - a > 1:
                    mid = (a + b) // 2
                    a, b = (mid, b) if offset(mid) == current else (a, mid)
                current = offset(b)
                changes.append((b, current))
            t = nxt
        return cls(tuple(reversed(changes)), first)

    def offset_at(self, epoch_s: int) -> int:
        for since, off in self.changes:
            if epoch_s >= since:
                return off
        return self.first_offset

    def local(self, epoch_s: int) -> int:
        return epoch_s + self.offset_at(epoch_s)

    def local_sql(self, epoch_expr: ColumnElement) -> ColumnElement:
        if not self.changes:
            return epoch_expr + self.first_offset
        whens = [(epoch_expr >= since, literal(off, BigInteger)) for since, off in self.changes]
        return epoch_expr + case(*whens, else_=literal(self.first_offset, BigInteger))


def local_day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def business_day_rows(cal: BusinessCalendar, start: datetime, end: datetime) -> tuple[list[tuple], int]:
    """One row per local day of [start, end] (with a day's margin): (local day number, business seconds
    before the day, a1, b1, a2, b2, ...) — the day's opening intervals as UTC epochs, padded with (0, 0)."""
    first, last = cal.local_date(start) - timedelta(days=1), cal.local_date(end) + timedelta(days=1)
    days, cum, day = [], 0, first
    while day <= last:
        spans = [(to_epoch(a), to_epoch(b)) for a, b in cal.intervals_on(day)]
        days.append((local_day_number(day), cum, spans))
        cum += sum(b - a for a, b in spans)
        day += timedelta(days=1)
    width = max([1] + [len(spans) for _, _, spans in days])
    rows = [(n, c, *[x for span in spans for x in span], *([0, 0] * (width - len(spans)))) for n, c, spans in days]
    return rows, width


def business_days(cal: BusinessCalendar, start: datetime, end: datetime):
    """The day rows as a VALUES table (`bizdays`), and how many intervals a day holds at most."""
    rows, width = business_day_rows(cal, start, end)
    cols = [column("day", Integer), column("cum", BigInteger)]
    for k in range(1, width + 1):
        cols += [column(f"a{k}", BigInteger), column(f"b{k}", BigInteger)]
    return values(*cols, name="bizdays").data(rows).cte("bizdays"), width


def business_seconds_until(days, width: int, at: ColumnElement) -> ColumnElement:
    """Business seconds from the start of the table to `at` (an epoch), for the joined day row."""
    total = days.c.cum
    for k in range(1, width + 1):
        a, b = days.c[f"a{k}"], days.c[f"b{k}"]
        total = total + greatest(least(b, at) - a, 0)
    return total


def percentile(dialect: str, fraction: float, value: ColumnElement, rank=None, count=None) -> ColumnElement:
    """Linear-interpolated percentile (PostgreSQL's percentile_cont), as an aggregate.

    On SQLite `rank` (0-based position in order) and `count` (rows in the group) come from
    window functions in a subquery; the arithmetic mirrors PostgreSQL's step for step so the
    two give the same floating-point result.
    """
    if dialect == "postgresql":
        return func.percentile_cont(fraction).within_group(cast(value, Float))
    h = literal(fraction, Float) * (count - 1)
    lo_rank = cast(h, Integer)  # h >= 0, so truncation is floor
    first = func.max(case((rank == lo_rank, value)))
    second = func.coalesce(func.max(case((rank == lo_rank + 1, value))), first)
    hg = literal(fraction, Float) * (func.max(count) - 1)
    proportion = hg - cast(hg, Integer)
    return cast(first, Float) + cast(second - first, Float) * proportion
