"""The response-time figures' requests, kept up to date as they happen: one row per therapist and UTC day.

Each row of `metric_days` holds, for one therapist and one day (of `requested_at`, in UTC), every request
of that day as a short list (FIELDS): what the figures need and nothing about the client. lib.metrics.kept
works the figures out from these rows alone, so a fresh view reads about one row per therapist and day of
the period instead of working every request out again from `bookings` with the practice's calendar.

Kept up to date in the same transaction as the change, whoever makes it: a session's flushes note the
(therapist, day) of every booking added, changed or removed (its old therapist and day too) and of every
away period's days, and just before the commit those rows are rebuilt from `bookings` (rebuilt, never
adjusted: a row is always exactly what its day's bookings say). On PostgreSQL each row is locked first
(in one order), so two transactions changing the same therapist's day rebuild it one after the other and
the second sees the first's bookings. Writes that bypass the ORM (bulk seeding, imports, restoring a
backup) call `refresh_days` or `rebuild` themselves.

The practice-wide figures read `metric_practice_days` instead: each day's therapist digests merged, in PARTS
rows per day (by therapist id), rebuilt in the same transaction from that day's therapist rows. At 2,000
therapists a therapist's day holds less than one request, so reading a quarter therapist by therapist was a
JSON row per request (about a second at a million bookings); merged, it is PARTS rows a day. The parts keep
two therapists answering requests of the same day from queueing on one row (PostgreSQL locks it to its commit).
They also say whose each request is (lib.bookings.metric_digest.merged), so the managers' By therapist table
reads them too.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import cast

from sqlalchemy import Table, and_, case, delete, event, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from lib.bookings.away import arrived_while_away
from lib.bookings.metric_digest import digest, merged
from lib.core.models import AwayPeriod, Booking, MetricDay, MetricPracticeDay

# One request: id, requested_at (µs since 1970), session type, status, first answer (s since 1970, floor),
# business seconds to the first answer, expiry (s, floor), due (µs), arrived while the therapist was away (0/1).
FIELDS = ("id", "req_us", "type", "status", "first_s", "business_s", "expires_s", "due_us", "away")
_EPOCH = datetime(1970, 1, 1)
_KEYS = "metric_days_keys"
_table = cast(Table, MetricDay.__table__)
_practice = cast(Table, MetricPracticeDay.__table__)
PARTS = 8


def micros(at: datetime) -> int:
    d = at - _EPOCH
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def from_micros(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _seconds(at: datetime | None) -> int | None:
    return None if at is None else micros(at) // 1_000_000


def _fact(row) -> list:
    return [row.id, micros(row.requested_at), row.session_type, row.status, _seconds(row.first_response_at),
            row.response_business_seconds, _seconds(row.expires_at), micros(row.response_due_at), int(row.away)]


def _json(facts) -> str:
    return json.dumps(facts, separators=(",", ":"))


_OLD_SHAPE = '%"s":%'  # `is_stale`, in the stored text (every digest is written without spaces)
_TAGGED = '%"tp":%'  # not `untagged`


def rebuild_stale(conn: Connection) -> int:
    """Rewrite the rows a previous release's servers wrote during a rolling upgrade (`is_stale`, and practice
    rows `untagged`: lib.bookings.metric_digest). Rows rewritten."""
    days = [(t, d) for t, d in conn.execute(select(_table.c.therapist_id, _table.c.day)
                                            .where(_table.c.digest.like(_OLD_SHAPE)))]
    parts = [(d, p) for d, p in conn.execute(select(_practice.c.day, _practice.c.part).where(
        _practice.c.digest.like(_OLD_SHAPE) | _practice.c.digest.not_like(_TAGGED)))]
    refresh_days(conn, days)  # their practice parts with them
    rest = sorted(set(parts) - {(d, t % PARTS) for t, d in days})
    _refresh_practice(conn, rest)
    return len(days) + len(rest)


def _row(therapist_id: int, day: date, facts: list) -> dict:
    return {"therapist_id": therapist_id, "day": day, "facts": _json(facts), "digest": _json(digest(facts))}


def _rows(conn: Connection, where) -> Iterable:
    B = Booking
    stmt = select(B.therapist_id, B.id, B.requested_at, B.session_type, B.status, B.first_response_at,
                  B.response_business_seconds, B.expires_at, B.response_due_at,
                  case((arrived_while_away(), 1), else_=0).label("away")).where(*where) \
        .order_by(B.therapist_id, B.requested_at, B.id)
    return conn.execute(stmt)


def _write(conn: Connection, rows: Iterable, batch: int = 2000) -> int:
    """Insert one metric_days row per (therapist, day) of `rows` (sorted by therapist and time)."""
    out: list[dict] = []
    facts: list = []
    key, written = None, 0

    def flush_key():
        if key is not None:
            out.append(_row(key[0], key[1], facts))

    for row in rows:
        k = (row.therapist_id, row.requested_at.date())
        if k != key:
            flush_key()
            key, facts = k, []
            if len(out) >= batch:
                conn.execute(insert(_table), out)
                written += len(out)
                out = []
        facts.append(_fact(row))
    flush_key()
    if out:
        conn.execute(insert(_table), out)
        written += len(out)
    return written


def _day_start(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time())


def _lock(conn: Connection, table: Table, rows: list[dict], key: tuple[str, str]) -> None:
    """PostgreSQL: hold each of these rows (made empty if missing), in one order, until the commit."""
    if conn.dialect.name != "postgresql" or not rows:
        return
    conn.execute(postgresql.insert(table).values(rows).on_conflict_do_nothing())
    for row in rows:
        conn.execute(select(table.c[key[0]]).where(*(table.c[k] == row[k] for k in key)).with_for_update())


def _upsert(conn: Connection, table: Table, key: tuple[str, str], rows: list[dict]) -> None:
    make = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = make(table)
    conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_={
        c: stmt.excluded[c] for c in rows[0] if c not in key}), rows)


def refresh_days(conn: Connection, keys: Iterable[tuple[int, date]]) -> None:
    """Rebuild these (therapist, day) rows from the bookings as they stand in this transaction.

    Rows are updated in place, never deleted and inserted again (a day left without requests keeps an
    empty row): on PostgreSQL a transaction waiting for one of these rows then finds it, not a new one."""
    keys = sorted(set(keys))
    _lock(conn, _table, [_row(t, d, []) for t, d in keys], ("therapist_id", "day"))
    by_therapist: dict[int, set[date]] = {}
    for t, d in keys:
        by_therapist.setdefault(t, set()).add(d)
    for t, days in by_therapist.items():  # one read per therapist, from their first day to their last
        first, last = min(days), max(days)
        facts: dict[date, list] = {d: [] for d in days}
        for r in _rows(conn, [Booking.therapist_id == t, Booking.requested_at >= _day_start(first),
                              Booking.requested_at < _day_start(last + timedelta(days=1))]):
            if r.requested_at.date() in facts:
                facts[r.requested_at.date()].append(_fact(r))
        _upsert(conn, _table, ("therapist_id", "day"), [_row(t, d, f) for d, f in sorted(facts.items())])
    _refresh_practice(conn, sorted({(d, t % PARTS) for t, d in keys}))


def _refresh_practice(conn: Connection, keys: list[tuple[date, int]]) -> None:
    """Rebuild these (day, part) rows of the practice from its therapists' rows as they stand now.

    On PostgreSQL each is locked first (after the therapist rows, in one order): a second transaction on the
    same day and part waits here until the first commits, then reads the first's therapist rows too."""
    if not keys:
        return
    _lock(conn, _practice, [{"day": d, "part": p, "digest": "{}"} for d, p in keys], ("day", "part"))
    rows = []
    for d, p in keys:
        digests = conn.execute(select(_table.c.therapist_id, _table.c.digest)
                               .where(_table.c.day == d, _table.c.therapist_id % PARTS == p))
        rows.append({"day": d, "part": p, "digest": _json(merged((t, json.loads(text)) for t, text in digests))})
    _upsert(conn, _practice, ("day", "part"), rows)


def rebuild_practice(conn: Connection) -> int:
    """Every practice row afresh from the therapists' rows (after `rebuild`, and the migration). Rows written."""
    conn.execute(delete(_practice))
    part = (_table.c.therapist_id % PARTS).label("part")
    found = conn.execute(select(_table.c.day, part, _table.c.therapist_id, _table.c.digest)
                         .order_by(_table.c.day, part))
    batch: list[dict] = []
    written = 0
    for (d, p), same in groupby(found, key=lambda r: (r[0], r[1])):
        batch.append({"day": d, "part": p, "digest": _json(merged((t, json.loads(text)) for _, _, t, text in same))})
        if len(batch) >= 2000:
            conn.execute(insert(_practice), batch)
            written, batch = written + len(batch), []
    if batch:
        conn.execute(insert(_practice), batch)
    return written + len(batch)


def note(session: Session, changed: Iterable[tuple[int, datetime]]) -> None:
    """(therapist, requested_at) of bookings written without the ORM in this session: rebuilt at its commit."""
    keys: set = session.info.setdefault(_KEYS, set())
    keys.update(("day", t, at.date()) for t, at in changed)


def rebuild(conn: Connection) -> int:
    """Every row afresh from the bookings (the migration, a restored backup, a bulk load). Rows written."""
    written = rebuild_days(conn)
    rebuild_practice(conn)
    return written


def rebuild_days(conn: Connection) -> int:
    """The therapists' rows only (migration 0014, which comes before the practice's rows exist)."""
    conn.execute(delete(_table))
    return _write(conn, _rows(conn, []))


def read(conn: Connection, first: date, last: date, therapist_id: int | None = None) -> list:
    """(therapist id, day, JSON digest) for the days from `first` to `last`."""
    where = [_table.c.day >= first, _table.c.day <= last]
    if therapist_id is not None:
        where.append(_table.c.therapist_id == therapist_id)
    return list(conn.execute(select(_table.c.therapist_id, _table.c.day, _table.c.digest).where(and_(*where))).all())


def facts_between(conn: Connection, start: datetime, end: datetime, therapist_id: int | None = None) -> Iterable:
    """(therapist id, facts) of each request made from `start` to `end`, read from `bookings` (an index range).

    For an hour a period or a week cuts in two, and a day a previous release's server wrote (`is_stale`):
    reading that day's rows instead would parse every therapist's day (about 2,000 JSON rows at a million
    bookings) to keep a few of their requests."""
    where = [Booking.requested_at >= start, Booking.requested_at < end]
    if therapist_id is not None:
        where.append(Booking.therapist_id == therapist_id)
    return ((r.therapist_id, _fact(r)) for r in _rows(conn, where))


def read_practice(conn: Connection, first: date, last: date) -> list:
    """(day, JSON digest) of the whole practice's days from `first` to `last`, PARTS rows a day."""
    return list(conn.execute(select(_practice.c.day, _practice.c.digest)
                             .where(_practice.c.day >= first, _practice.c.day <= last)).all())


# --- kept up to date by every ORM session --------------------------------------------------------------------

def _old(obj, attr: str):
    hist = inspect(obj).attrs[attr].history
    return (hist.deleted or [getattr(obj, attr)])[0]


@event.listens_for(Session, "after_flush")
def _note(session: Session, _ctx) -> None:
    keys: set = session.info.setdefault(_KEYS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Booking):
            for t, at in ((obj.therapist_id, obj.requested_at),
                          (_old(obj, "therapist_id"), _old(obj, "requested_at"))):
                if t is not None and at is not None:
                    keys.add(("day", t, at.date()))
        elif isinstance(obj, AwayPeriod):
            for t, a, b in ((obj.therapist_id, obj.starts_at, obj.ends_at),
                            (_old(obj, "therapist_id"), _old(obj, "starts_at"), _old(obj, "ends_at"))):
                if None not in (t, a, b):
                    keys.add(("span", t, a, b))


@event.listens_for(Session, "before_commit")
def _refresh(session: Session) -> None:
    if not session.info.get(_KEYS) and not (session.new or session.dirty or session.deleted):
        return
    session.flush()
    noted = session.info.pop(_KEYS, set())
    if not noted:
        return
    conn = session.connection()
    days = {(k[1], k[2]) for k in noted if k[0] == "day"}
    for _, t, a, b in (k for k in noted if k[0] == "span"):
        d = a.date()
        while d <= b.date():
            days.add((t, d))
            d += timedelta(days=1)
    refresh_days(conn, days)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEYS, None)
