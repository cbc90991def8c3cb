"""The requests behind the response-time figures, and their aggregates, as SQL.

One row per request in the period (a subquery, never fetched whole):
  kind      'answered' | 'unanswered' (past due, or closed without an answer) | 'waiting' (open, not yet due)
            | 'cancelled' (cancelled by the client before any answer: left out of every figure)
            | 'away' (arrived while the therapist was away: left out of that therapist's own figures, counted
            in the practice's, since the practice team answered it; lib.bookings.away)
  away      1 when the request arrived while its therapist was away
  v         business seconds to the first answer; for 'unanswered', the business time waited so far
            (until now, or until the request expired) — a lower bound, so ignored requests weigh in
  cal       the same in calendar seconds
  within    1 when answered within the response target
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Float,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Connection

from lib.bookings.away import arrived_while_away
from lib.core import clock, db
from lib.core.models import Booking
from lib.core.vocabulary import BookingStatus, EventKind
from lib.metrics.sql import (
    DAY,
    LocalClock,
    business_days,
    business_seconds_until,
    epoch,
    greatest,
    least,
    percentile,
    to_epoch,
)
from lib.practice.rules import Rules

# Histogram bins of response time, in business hours (the last bin is open-ended).
BIN_EDGES = (0, 0.5, 1, 2, 3, 4, 6, 8, 17, 34)


@dataclass(frozen=True)
class Scope:
    start: datetime
    end: datetime
    now: datetime
    therapist_id: int | None = None
    session_type: str | None = None


class RequestRows:
    """Builds the per-request subquery for one scope, with the practice's calendar and clock."""

    def __init__(self, rules: Rules, scope: Scope):
        self.rules, self.scope = rules, scope
        cal = rules.calendar
        self.clock = LocalClock.over(cal.tz, scope.start, max(scope.end, scope.now))
        self.days, self.width = business_days(cal, scope.start, max(scope.end, scope.now))
        first_local = cal.local_date(scope.start)
        self.first_monday = first_local - timedelta(days=first_local.weekday())
        weeks: list[datetime]
        zone, weeks, monday = ZoneInfo(cal.tz), [], self.first_monday
        while not weeks or weeks[-1] < scope.end:  # each local Monday 00:00 as naive UTC
            weeks.append(clock.to_utc_naive(datetime.combine(monday, time(0), tzinfo=zone)))
            monday += timedelta(days=7)
        self.week_starts = weeks
        self.target_seconds = int(round(rules.target_hours * 3600))

    def week_start(self, week_index: int) -> date:
        return self.first_monday + timedelta(days=7 * int(week_index))

    def subquery(self, detail: bool = False):
        return self.statement(detail).subquery("rq")

    def statement(self, detail: bool = False):
        """The rows; with `detail`, also each booking's id, type and times (for the CSV of rows)."""
        s, B = self.scope, Booking
        more = [B.id.label("booking_id"), B.session_type.label("session_type"), B.requested_at.label("requested_at"),
                B.first_response_at.label("first_response_at")] if detail else []
        now_e = literal(to_epoch(s.now), BigInteger)
        req_e = epoch(B.requested_at)
        local_req = self.clock.local_sql(req_e)
        week = week_index(B.requested_at, self.week_starts)
        where = [B.requested_at >= s.start, B.requested_at < s.end]
        if s.therapist_id is not None:
            where.append(B.therapist_id == s.therapist_id)
        if s.session_type is not None:
            where.append(B.session_type == s.session_type)

        while_away = arrived_while_away()
        # One therapist's figures leave out what arrived while they were away; the practice's keep it.
        left_out = while_away if s.therapist_id is not None else false()
        answered = and_(B.first_response_at.is_not(None), ~left_out)
        unanswered = and_(B.first_response_at.is_(None), B.status != BookingStatus.CANCELLED, ~left_out,
                          or_(B.status != BookingStatus.UNCONFIRMED, B.response_due_at <= s.now))
        kind = case((left_out, literal("away")), (answered, literal("answered")),
                    (B.status == BookingStatus.CANCELLED, literal("cancelled")),
                    (unanswered, literal("unanswered")), else_=literal("waiting"))
        # An unanswered request has waited until now, or until it expired. One that expired keeps its wait
        # (lib.bookings.changes.record_wait_until_expiry): measured to its expiry, as at that moment.
        kept_wait = and_(B.status == BookingStatus.EXPIRED, B.response_business_seconds.is_not(None))
        end_e = case((B.status == BookingStatus.UNCONFIRMED, now_e), (kept_wait, epoch(B.expires_at)),
                     else_=least(func.coalesce(epoch(B.expires_at), now_e), now_e))
        worked_out = and_(unanswered, ~kept_wait)  # the calendar is needed for these alone
        d_req, d_end = self.days.alias("d_req"), self.days.alias("d_end")
        waited = case((kept_wait, B.response_business_seconds),
                      else_=greatest(business_seconds_until(d_end, self.width, end_e)
                                     - business_seconds_until(d_req, self.width, req_e), 0))
        return (
            select(
                B.therapist_id.label("therapist_id"), B.status.label("status"), week.label("week"),
                kind.label("kind"),
                case((answered, B.response_business_seconds), (unanswered, waited)).label("v"),
                case((answered, epoch(B.first_response_at) - req_e), (unanswered, greatest(end_e - req_e, 0)))
                .label("cal"),
                case((and_(answered, B.response_business_seconds <= self.target_seconds), 1), else_=0).label("within"),
                case((while_away, 1), else_=0).label("away"),
                *more,
            )
            .select_from(B)
            # The calendar table is only looked up for unanswered requests without a kept wait (the key is
            # NULL otherwise).
            .outerjoin(d_req, d_req.c.day == case((worked_out, local_req // DAY)))
            .outerjoin(d_end, d_end.c.day == case((worked_out, self.clock.local_sql(end_e) // DAY)))
            .where(*where)
        )


def week_index(column, starts: list[datetime], lo: int = 0, hi: int | None = None):
    """Which week a time falls in (0 = the first of `starts`), as a balanced tree of comparisons:
    exact across clock changes, and only log2(weeks) comparisons a row."""
    hi = len(starts) - 1 if hi is None else hi
    if lo >= hi:
        return literal(lo, BigInteger)
    mid = (lo + hi + 1) // 2
    return case((column >= starts[mid], week_index(column, starts, mid, hi)),
                else_=week_index(column, starts, lo, mid - 1))


def _count_columns(rq) -> list:
    def n(cond):
        return func.sum(case((cond, 1), else_=0))

    return [
        n(rq.c.kind.not_in(("cancelled", "away"))).label("requests"),
        n(rq.c.kind == "answered").label("answered"),
        func.coalesce(func.sum(rq.c.within), 0).label("within_target"),
        n(rq.c.kind == "unanswered").label("unanswered"),
        n(rq.c.kind == "waiting").label("waiting"),
        n(rq.c.kind == EventKind.CANCELLED).label("cancelled"),
        n(and_(rq.c.kind.not_in(("cancelled", "away")), rq.c.status == BookingStatus.DECLINED)).label("declined"),
        n(and_(rq.c.kind.not_in(("cancelled", "away")), rq.c.status == BookingStatus.EXPIRED)).label("expired"),
        n(rq.c.away == 1).label("away"),
    ]


def _bin(v):
    """Histogram bin of a response time (business seconds): 0, 1, ... len(BIN_EDGES) - 1."""
    edges = [int(e * 3600) for e in BIN_EDGES[1:]]
    return case(*[(v < edge, i) for i, edge in enumerate(edges)], else_=len(edges))


COUNTS = ("requests", "answered", "within_target", "unanswered", "waiting", "cancelled", "declined", "expired",
          "away")
TIMES = ("p50", "p90", "cal50")


def _branch(part: str, name: str, key, counts: list | None = None, times: dict | None = None):
    """The columns every branch of the statement has: part, g, k, the counts, the times (NULL where absent)."""
    # NULLs typed in SQL: as bound parameters, PostgreSQL types them as text when they lead the UNION.
    counts = counts or [cast(null(), BigInteger).label(c) for c in COUNTS]
    times = times or {}
    return [literal(part, String).label("part"), literal(name, String).label("g"), key.label("k"), *counts,
            *[times.get(t, cast(null(), Float)).label(t) for t in TIMES]]


def _grouping(dialect: str, rq, name: str) -> list:
    """The statement's branches for one grouping of `rq`: its counts, and its median and p90."""
    if name == "therapist_id":  # each therapist's own figures leave out what arrived while they were away
        rq = select(*rq.c).where(rq.c.away == 0).subquery("rq_present")
    if name == "bin":  # histogram: counts only (answered = within + late)
        k = _bin(rq.c.v)
        return [select(*_branch("c", name, k, _count_columns(rq))).where(rq.c.v.is_not(None)).group_by(k)]
    key = rq.c[name] if name != "all" else literal(0, BigInteger)
    group = (lambda stmt, col: stmt.group_by(col)) if name != "all" else (lambda stmt, col: stmt)
    if dialect == "postgresql":
        times = {"p50": percentile(dialect, 0.5, rq.c.v), "p90": percentile(dialect, 0.9, rq.c.v)}
        if name == "all":
            times["cal50"] = percentile(dialect, 0.5, rq.c.cal)
        return [group(select(*_branch("c", name, key, _count_columns(rq), times)), key)]
    # SQLite: rank the counted rows in a compact subquery, apart from the plain counts.
    part: dict[str, Any] = {"partition_by": [rq.c[name]]} if name != "all" else {}
    ranked = select(
        key.label("k"), rq.c.v, rq.c.cal,
        (func.row_number().over(order_by=rq.c.v, **part) - 1).label("i"),
        func.count().over(**part).label("n"),
        *([(func.row_number().over(order_by=rq.c.cal, **part) - 1).label("j")] if name == "all" else []),
    ).where(rq.c.v.is_not(None)).subquery(f"ranked_{name}")
    r = ranked.c
    times = {"p50": percentile(dialect, 0.5, r.v, r.i, r.n), "p90": percentile(dialect, 0.9, r.v, r.i, r.n)}
    if name == "all":
        times["cal50"] = percentile(dialect, 0.5, r.cal, r.j, r.n)
    return [group(select(*_branch("c", name, key, _count_columns(rq))), key),
            group(select(*_branch("p", name, r.k if name != "all" else key, times=times)), r.k)]


def figures(session: Connection, rows: RequestRows, groupings=("all", "therapist_id", "week", "bin")) -> dict:
    """{grouping: {key: {requests, answered, ..., p50, p90, cal50}}}, in one statement over the rows.

    Groupings: 'all' (key 0), 'therapist_id', 'week' (index into RequestRows.week_start), 'bin' (histogram bin;
    counts only). The calendar median (cal50) is worked out for 'all' only.
    """
    dialect = session.dialect.name  # a Connection (lib.core.db.reading)
    # Materialised: the bookings are read once, however many groupings (and SQLite never trades the
    # period index for a therapist index to save a sort).
    rq = rows.statement().cte("rq").prefix_with("MATERIALIZED")
    stmt = union_all(*[branch for g in groupings for branch in _grouping(dialect, rq, g)])
    out: dict = {g: {} for g in groupings}
    for row in session.execute(stmt).mappings():
        entry = out[row["g"]].setdefault(int(row["k"]), {c: 0 for c in COUNTS} | {t: None for t in TIMES})
        if row["part"] == "c":
            entry.update({c: int(row[c] or 0) for c in COUNTS})
        entry.update({t: row[t] for t in TIMES if row[t] is not None})
    return out


@cache
def _queue(one_therapist: bool, one_type: bool, per_therapist: bool):
    """The queue's counts as it stands, one statement per shape, built once (the page reads it on every view)."""
    B = Booking
    stmt = select(func.count(), func.sum(case((B.response_due_at <= bindparam("now"), 1), else_=0))) \
        .where(B.status == db.fixed("unconfirmed"))
    if one_therapist:
        stmt = stmt.where(B.therapist_id == bindparam("therapist_id"))
    if one_type:
        stmt = stmt.where(B.session_type == bindparam("session_type"))
    return stmt.add_columns(B.therapist_id).group_by(B.therapist_id) if per_therapist else stmt


def _queue_rows(scope: Scope, per_therapist: bool) -> list:
    stmt = _queue(scope.therapist_id is not None, scope.session_type is not None, per_therapist)
    params = {"now": scope.now, "therapist_id": scope.therapist_id, "session_type": scope.session_type}
    # On every view, and planned the same whatever the values: a lookup (lib.core.db.lookup).
    return db.lookup(stmt, {k: v for k, v in params.items() if v is not None})


def open_now(scope: Scope) -> dict[int, tuple[int, int]]:
    """{therapist_id: (open now, overdue now)} — the queue as it stands, whatever the period."""
    return {tid: (int(n), int(late or 0)) for n, late, tid in _queue_rows(scope, True)}


def open_now_total(scope: Scope) -> tuple[int, int]:
    """(open now, overdue now) for the scope: one row, where `open_now` gives one per therapist."""
    ((n, late),) = _queue_rows(scope, False)
    return int(n), int(late or 0)
