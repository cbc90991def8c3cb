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
They also say whose each request is (`merged`), so the managers' By therapist table reads them too.
"""
from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import groupby, repeat
from typing import cast

from sqlalchemy import Table, and_, case, delete, event, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from lib.bookings.away import arrived_while_away
from lib.core.models import AwayPeriod, Booking, MetricDay, MetricPracticeDay
from lib.core.vocabulary import BookingStatus

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


HOUR_US = 3_600_000_000
HOURS = "ABCDEFGHIJKLMNOPQRSTUVWX"  # the UTC hour h of a request, as one letter: HOURS[h]


def hour_of(req_us: int) -> str:
    """The UTC hour of the day a request was made in, as its letter."""
    return HOURS[req_us // HOUR_US % 24]


def pack(values: Iterable[int]) -> str:
    """Whole seconds as text: 32-bit little-endian integers in hexadecimal.

    A quarter of the practice is about 700 digests holding 250,000 seconds; read back as JSON lists of
    numbers they took about 90 ms to parse, as packed text a few ms (lib.metrics.kept). Hexadecimal, not
    base64, so that several groups' texts joined end to end unpack as one."""
    packed = array("i", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes().hex()


def unpack(text: str) -> array:
    values = array("i")
    values.frombytes(bytes.fromhex(text))
    if sys.byteorder == "big":
        values.byteswap()
    return values


def digest(facts: list) -> dict:
    """The day's requests that no longer change with the clock or the settings, summed up ahead of time.

    "p": answered requests, those that expired unanswered (their wait kept at the expiry) and those the client
    cancelled before an answer, grouped by (session type, away, status class: declined | expired | other,
    kind: a(nswered) | u(nanswered) | c(ancelled)), each group as [*key, count, business seconds, calendar
    seconds, hours, calendar hours]: the seconds sorted and packed (`pack`), and beside each, as one letter
    in the same order, the UTC hour its request was made in (for a cancelled group, its requests' hours
    alone). The hours let a period that starts or ends within the day, or a week that starts within it,
    take just its part. "r": every other request, as in `facts` (still open, or closed unanswered without a
    kept wait: their waiting time depends on now or on the practice's calendar).

    "s" is the shape before migration 0016 (groups without hours, their seconds as lists of numbers). Only a
    server of the previous release writes it, during a rolling upgrade: such a row is `is_stale`, its day is
    read from `bookings` instead, and `rebuild_stale` (run by `python -m lib migrate`) rewrites it."""
    groups: dict[tuple, list] = {}
    rest = []
    for f in facts:
        _id, req_us, kind_of, status, first_s, business_s, expires_s, _due, away = f
        if first_s is not None and business_s is not None:
            key, v, cal = (kind_of, away, status if status in ("declined", "expired") else "other", "a"), \
                business_s, first_s - req_us // 1_000_000
        elif first_s is None and status == BookingStatus.EXPIRED and business_s is not None:
            key, v, cal = (kind_of, away, "expired", "u"), business_s, max(expires_s - req_us // 1_000_000, 0)
        elif first_s is None and status == BookingStatus.CANCELLED:
            key, v, cal = (kind_of, away, "other", "c"), None, None
        else:
            rest.append(f)
            continue
        g = groups.setdefault(key, [[], [], []])
        h = hour_of(req_us)
        if v is None:
            g[2].append((h,))
        else:
            g[0].append((v, h))
            g[1].append((cal, h))
    return _summed(groups, rest)


def _summed(groups: dict[tuple, list], rest: list, whose_rest: list | None = None) -> dict:
    """The digest of `groups` ({key: [(seconds, hour[, therapist]), (calendar seconds, hour), (hour[, therapist])
    of those without seconds]}). With `whose_rest` (a practice's day, `merged`) it says whose each request is."""
    out, whose = [], []
    for key, (vs, cals, hours) in sorted(groups.items()):
        vs.sort()
        cals.sort()
        hours.sort()
        out.append([*key, len(vs) + len(hours), pack(v[0] for v in vs), pack(c for c, _ in cals),
                    "".join(v[1] for v in vs) + "".join(h[0] for h in hours), "".join(h for _, h in cals)])
        if whose_rest is not None:
            whose.append(pack([v[2] for v in vs] + [h[1] for h in hours]))
    d = {"p": out, "r": rest}
    return d if whose_rest is None else d | {"tp": whose, "tr": whose_rest}


def merged(digests: Iterable[tuple[int, dict]]) -> dict:
    """Several therapists' digests, (therapist id, digest), as one (a practice's day): groups of the same key
    added up, their seconds still sorted (each with its hour); the requests not summed up, in time order.

    "tp" and "tr" say whose each request is, so the By therapist table is read from the practice's rows too:
    PARTS rows a day instead of 2,000 (a month at a million bookings, SQLite: 536 -> 85 ms; a quarter 1.6 s ->
    157 ms). "tp" is beside "p": each group's therapist ids, packed, in the order of its hours. "tr" is beside
    "r": one id per request. A practice row without them was written by a server of the release before
    migration 0017, during a rolling upgrade (`untagged`)."""
    groups: dict[tuple, list] = {}
    rest: list[tuple[list, int]] = []
    stale = False
    for therapist_id, d in digests:
        stale = stale or is_stale(d)  # a previous release's therapist row: the practice's row is stale with it
        for *key, _n, vs, cals, hv, hc in d.get("p", ()):
            g = groups.setdefault(tuple(key), [[], [], []])
            if vs:
                g[0] += zip(unpack(vs), hv, repeat(therapist_id))
                g[1] += zip(unpack(cals), hc)
            else:
                g[2] += zip(hv, repeat(therapist_id))
        rest += ((f, therapist_id) for f in d.get("r", ()))
    rest.sort(key=lambda fw: (fw[0][1], fw[0][0]))
    out = _summed(groups, [f for f, _ in rest], [w for _, w in rest])
    return out | {"s": []} if stale else out


def untagged(d: dict) -> bool:
    """A practice row that does not say whose each request is (written by a server of the release before
    migration 0017, or still empty): the By therapist table reads its day from `bookings`."""
    return "tp" not in d


def is_stale(d: dict) -> bool:
    """Written by a server of the release before migration 0016 (it always writes "s", this release never
    does), or merged from such a row. Its practice rows leave out this release's groups, even with no
    groups of their own, so the mark is the key, not what it holds."""
    return "s" in d


_OLD_SHAPE = '%"s":%'  # `is_stale`, in the stored text (every digest is written without spaces)
_TAGGED = '%"tp":%'  # not `untagged`


def rebuild_stale(conn: Connection) -> int:
    """Rewrite the rows a previous release's servers wrote during a rolling upgrade (`is_stale`, and practice
    rows `untagged`). Rows rewritten."""
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
