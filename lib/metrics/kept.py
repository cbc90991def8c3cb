"""The response-time figures from the rows kept up to date as requests happen (lib.bookings.metric_days).

The same figures as lib.metrics.query.figures, to the last bit (tests compare the two), without going
back to `bookings`: for one therapist their row of each day of the period, for the practice (and its By
therapist table) the practice's few rows a day, each holding its day's requests summed up. What
depends on the moment or the practice's settings is worked out here, as the SQL does it: whether an open
request is past due, how long unanswered ones have waited (business time by the current calendar), which
week a request falls in, whether an answer was within the current target.
"""
from __future__ import annotations

import json
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import repeat
from typing import cast

from sqlalchemy.engine import Connection

from lib.bookings.metric_days import facts_between, from_micros, micros, read, read_practice
from lib.bookings.metric_digest import HOUR_US, HOURS, hour_of, is_stale, pack, unpack, untagged
from lib.core.vocabulary import BookingStatus, EventKind
from lib.metrics.query import BIN_EDGES, COUNTS, TIMES, RequestRows
from lib.metrics.sql import from_epoch, to_epoch
from lib.practice.business_hours import OpeningTimeUntil, business_seconds_between

_BIN_LIMITS = [int(e * 3600) for e in BIN_EDGES[1:]]
_KINDS = {"a": "answered", "u": "unanswered", "c": "cancelled"}  # a digest group's kind (lib.bookings.metric_digest.digest)


def percentile(sorted_values: list, fraction: float) -> float | None:
    """PostgreSQL's percentile_cont, step for step (so the figures match the SQL ones exactly)."""
    if not sorted_values:
        return None
    h = fraction * (len(sorted_values) - 1)
    lo = int(h)
    first = float(sorted_values[lo])
    if lo == h:
        return first
    return first + (float(sorted_values[lo + 1]) - first) * (h - lo)


def _bin(v: int) -> int:
    for i, edge in enumerate(_BIN_LIMITS):
        if v < edge:
            return i
    return len(_BIN_LIMITS)


class _Group:
    __slots__ = ("counts", "v", "cal")

    def __init__(self):
        self.counts = dict.fromkeys(COUNTS, 0)
        self.v: list = []
        self.cal: list = []

    def add(self, kind: str, status: str, v, cal, within: int, away: int) -> None:
        c = self.counts
        if kind not in ("cancelled", "away"):
            c["requests"] += 1
            if status == BookingStatus.DECLINED:
                c["declined"] += 1
            elif status == BookingStatus.EXPIRED:
                c["expired"] += 1
        if kind in ("answered", "unanswered", "waiting", "cancelled"):
            c[kind] += 1
        c["within_target"] += within
        c["away"] += away
        if v is not None:
            self.v.append(v)
        if cal is not None:
            self.cal.append(cal)

    def add_many(self, kind: str, status: str, n: int, vs: list | None, cals: list | None, within: int,
                 away: int) -> None:
        """`n` requests of one kind, status class and away flag at once (a day's digest, lib.bookings.metric_days)."""
        c = self.counts
        if kind not in ("cancelled", "away"):
            c["requests"] += n
            if status in ("declined", "expired"):
                c[status] += n
        if kind in ("answered", "unanswered", "cancelled"):
            c[kind] += n
        c["within_target"] += within
        c["away"] += n * away
        if vs:
            self.v += vs
            self.cal += cals or []

    def entry(self, times: bool, calendar: bool) -> dict:
        out = dict(self.counts) | dict.fromkeys(TIMES)
        if times:
            self.v.sort()
            out["p50"], out["p90"] = percentile(self.v, 0.5), percentile(self.v, 0.9)
        if calendar:
            self.cal.sort()
            out["cal50"] = percentile(self.cal, 0.5)
        return out


class _Figures:
    """The groups of one scope, filled request by request or a day's digest at a time."""

    def __init__(self, rows: RequestRows, groupings):
        s = rows.scope
        self.rows, self.scope, self.cal = rows, s, rows.rules.calendar
        self.start_us, self.end_us, self.now_us, self.now_s = micros(s.start), micros(s.end), micros(s.now), \
            to_epoch(s.now)
        self.weeks = [micros(w) for w in rows.week_starts]
        self.target, self.one_therapist = rows.target_seconds, s.therapist_id is not None
        self.groups: dict = {g: {} for g in groupings}
        self.all = self.groups["all"].setdefault(0, _Group()) if "all" in self.groups else None
        self.by_week, self.by_therapist, self.by_bin = (self.groups.get(g) for g in ("week", "therapist_id", "bin"))
        # Digest groups gathered by what tells them apart here (`summed`): a quarter of the practice is about
        # 7,000 digest groups, counted one by one in about 100 ms; gathered, a hundred or so.
        self.pending: dict[tuple, list] = {}
        # The practice's groups as each therapist's (`summed` with `whose`): by status and kind, the seconds and
        # their therapists, parted in `result`.
        self.pending_whose: dict[tuple, list] = {}
        self._until_now: OpeningTimeUntil | None = None

    def until_now(self) -> OpeningTimeUntil:
        """Opening time until now from any moment of the period (made once, on the first open request)."""
        if self._until_now is None:
            self._until_now = OpeningTimeUntil(self.cal, from_epoch(self.start_us // 1_000_000), from_epoch(self.now_s))
        return self._until_now

    def week(self, at_us: int) -> int:
        return max(bisect_right(self.weeks, at_us) - 1, 0)

    def _groups(self, therapist_id: int | None, week: int, away: int):
        """The groups a request counts in; `therapist_id` None: no one therapist's (a practice row's group)."""
        out = [self.all] if self.all is not None else []
        if self.by_week is not None:
            out.append(self.by_week.get(week) or self.by_week.setdefault(week, _Group()))
        # each therapist's own figures leave out time away
        if self.by_therapist is not None and therapist_id is not None and not away:
            out.append(self.by_therapist.get(therapist_id) or self.by_therapist.setdefault(therapist_id, _Group()))
        return out

    def request(self, therapist_id: int | None, fact: list) -> None:
        """One request, worked out as lib.metrics.query's SQL does."""
        s = self.scope
        _id, req_us, kind_of, status, first_s, business_s, expires_s, due_us, away = fact
        if not self.start_us <= req_us < self.end_us or (s.session_type is not None and kind_of != s.session_type):
            return
        v = c = None
        within = 0
        if self.one_therapist and away:
            kind = "away"
        elif first_s is not None:
            kind, v, c = "answered", business_s, first_s - req_us // 1_000_000
            within = 1 if business_s is not None and business_s <= self.target else 0
        elif status == BookingStatus.CANCELLED:
            kind = EventKind.CANCELLED
        elif status == BookingStatus.EXPIRED and business_s is not None:  # its wait, kept at its expiry
            kind, v, c = "unanswered", business_s, max(expires_s - req_us // 1_000_000, 0)
        elif status != BookingStatus.UNCONFIRMED or due_us <= self.now_us:
            kind = "unanswered"
            req_s, now_s = req_us // 1_000_000, self.now_s
            if status == BookingStatus.UNCONFIRMED:  # still waiting, past due: its wait until now
                end_s, v = now_s, self.until_now().seconds_from(req_s)
            else:
                end_s = min(now_s if expires_s is None else expires_s, now_s)
                v = business_seconds_between(from_epoch(req_s), from_epoch(end_s), self.cal)
            c = max(end_s - req_s, 0)
        else:
            kind = "waiting"
        for g in self._groups(therapist_id, self.week(req_us), away):
            g.add(kind, status, v, c, within, away)
        if self.by_bin is not None and v is not None:
            b = _bin(v)
            (self.by_bin.get(b) or self.by_bin.setdefault(b, _Group())).add(kind, status, v, c, within, away)

    def summed(self, therapist_id: int | None, week: int, entry: list, whose: str | None = None) -> None:
        """One group of a day's digest: answered, expired unanswered or cancelled requests (they no longer change),
        their seconds packed (lib.bookings.metric_digest.pack). Gathered with the like of it, counted in `result`.
        A practice's group (`therapist_id` None) says with `whose` (packed ids) whose each request is."""
        kind_of, away, status, letter, n, vs, cals = entry
        if self.scope.session_type is not None and kind_of != self.scope.session_type:
            return
        key = (therapist_id if self.by_therapist is not None else None, week, away, status, letter)
        p = self.pending.get(key) or self.pending.setdefault(key, [0, [], []])
        p[0] += n
        if vs:
            p[1].append(vs)
            p[2].append(cals)
        if whose is not None and self.by_therapist is not None and not away:
            w = self.pending_whose.get((status, letter)) or self.pending_whose.setdefault((status, letter), [[], []])
            w[0].append(vs)
            w[1].append(whose)

    def _count_whose(self, status: str, letter: str, vs: array, whose: array) -> None:
        """A practice's gathered groups parted into each therapist's (their seconds and ids side by side)."""
        kind = _KINDS[letter]
        by_therapist = cast(dict, self.by_therapist)
        if not vs:  # cancelled: a count
            for therapist_id, n in Counter(whose).items():
                by_therapist.setdefault(therapist_id, _Group()).add_many(kind, status, n, None, None, 0, 0)
            return
        theirs: dict[int, list] = {}
        for v, therapist_id in zip(vs, whose):
            (theirs.get(therapist_id) or theirs.setdefault(therapist_id, [])).append(v)
        for therapist_id, values in theirs.items():
            values.sort()
            within = bisect_right(values, self.target) if kind == "answered" else 0
            by_therapist.setdefault(therapist_id, _Group()).add_many(kind, status, len(values), values, None, within, 0)

    def _count(self, key: tuple, n: int, vs: list, cals: list) -> None:
        """Digest groups gathered by `summed` (their seconds sorted) into the figures' groups and the bars."""
        therapist_id, week, away, status, letter = key
        if self.one_therapist and away:
            kind, vs, cals, within = "away", [], [], 0
        else:
            kind = _KINDS[letter]
            within = bisect_right(vs, self.target) if vs and kind == "answered" else 0
        for g in self._groups(therapist_id, week, away):
            g.add_many(kind, status, n, vs, cals, within, away)
        if self.by_bin is not None and vs:
            lo = 0
            for b, edge in enumerate(_BIN_LIMITS + [None]):
                hi = len(vs) if edge is None else bisect_left(vs, edge, lo)
                if hi > lo:
                    in_bin = min(bisect_right(vs, self.target, lo, hi), hi) - lo if kind == "answered" else 0
                    (self.by_bin.get(b) or self.by_bin.setdefault(b, _Group())).add_many(
                        kind, status, hi - lo, None, None, in_bin, away)
                lo = hi

    def result(self) -> dict:
        for key, (n, vs, cals) in self.pending.items():  # one unpacking and one sort per gathered group
            self._count(key, n, sorted(unpack("".join(vs))), sorted(unpack("".join(cals))))
        for (status, letter), (vs, whose) in self.pending_whose.items():
            self._count_whose(status, letter, unpack("".join(vs)), unpack("".join(whose)))
        self.pending, self.pending_whose = {}, {}
        return {g: {k: grp.entry(g != "bin", g == "all") for k, grp in by_key.items()}
                for g, by_key in self.groups.items()}


def figures(conn: Connection, rows: RequestRows, groupings=("all", "therapist_id", "week", "bin")) -> dict:
    """{grouping: {key: {requests, answered, ..., p50, p90, cal50}}}: lib.metrics.query.figures' answer.

    Each day of the period is read from its digest: its settled requests summed up already, and the few
    still open (or closed unanswered) worked out one by one; for the whole practice, from the practice's day
    (a few rows, not one per therapist), which also says whose each request is (for the By therapist table).
    A day the period starts or ends in, or a week starts in (local Monday midnight is not UTC's), takes its
    settled requests hour by hour (the digest keeps each one's UTC hour); only an hour cut in two goes
    request by request, read from `bookings`. A day with a row a previous release's server wrote during an upgrade (lib.bookings.metric_days
    .is_stale, and for the By therapist table .untagged) is read from `bookings` whole."""
    f = _Figures(rows, groupings)
    s = rows.scope
    first, last = s.start.date(), (s.end - timedelta(microseconds=1)).date()
    plans = {d: _plan(f, micros(datetime.combine(d, datetime.min.time()))) for d in _days(first, last)}
    practice_wide = s.therapist_id is None  # the practice's rows, which say whose each request is
    whose_needed = practice_wide and f.by_therapist is not None
    found = ([(None, day, text) for day, text in read_practice(conn, first, last)] if practice_wide
             else read(conn, first, last, s.therapist_id))
    digests = [(therapist_id, day, json.loads(text)) for therapist_id, day, text in found]
    stale = {day for _, day, kept in digests if is_stale(kept) or (whose_needed and untagged(kept))}
    for therapist_id, day, kept in digests:
        if day in stale:
            continue
        week, hours = plans[day]
        groups = kept.get("p", ())
        whose = kept["tp"] if whose_needed else [None] * len(groups)
        rest_whose = kept["tr"] if whose_needed else repeat(therapist_id)
        if hours is None:  # the whole day, in one week
            for (*key, n, vs, cals, _hv, _hc), w in zip(groups, whose):
                f.summed(therapist_id, week, [*key, n, vs, cals], w)
            for fact, t in zip(kept.get("r", ()), rest_whose):
                f.request(t, fact)
            continue
        for entry, w in zip(groups, whose):
            for in_week, (part, part_whose) in _by_week(entry, hours, w).items():
                f.summed(therapist_id, in_week, part, part_whose)
        for fact, t in zip(kept.get("r", ()), rest_whose):
            if hour_of(fact[1]) in hours.week:
                f.request(t, fact)
    from_bookings = [(micros(datetime.combine(d, datetime.min.time())), 24 * HOUR_US) for d in stale]
    from_bookings += [(h, HOUR_US) for d, (_, hours) in plans.items() if hours is not None and d not in stale
                      for h in hours.cut]
    for lo, width in sorted(from_bookings):
        start, end = from_micros(max(lo, f.start_us)), from_micros(min(lo + width, f.end_us))
        for therapist_id, fact in facts_between(conn, start, end, s.therapist_id):
            f.request(therapist_id, fact)
    return f.result()


@dataclass
class _Hours:
    """A day's hours inside the period, each with its week; `cut`: the hours (µs) cut in two by the period's
    start or end or by a week's start, which go request by request."""
    week: dict[str, int] = field(default_factory=dict)  # by the hour's letter (lib.bookings.metric_digest.HOURS)
    cut: list[int] = field(default_factory=list)


def _plan(f: _Figures, day_us: int) -> tuple[int, _Hours | None]:
    """(week, None) for a day wholly inside the period and one week; otherwise (0, its hours)."""
    next_us = day_us + 24 * HOUR_US
    if f.start_us <= day_us and next_us <= f.end_us and not any(day_us < w < next_us for w in f.weeks):
        return f.week(day_us), None
    hours = _Hours()
    for h in range(24):
        lo, hi = day_us + h * HOUR_US, day_us + (h + 1) * HOUR_US
        if hi <= f.start_us or lo >= f.end_us:
            continue
        if lo < f.start_us or hi > f.end_us or any(lo < w < hi for w in f.weeks):
            hours.cut.append(lo)
        else:
            hours.week[HOURS[h]] = f.week(lo)
    return 0, hours


def _by_week(entry: list, hours: _Hours, whose: str | None) -> dict[int, tuple[list, str | None]]:
    """One digest group cut to the hours inside the period, as a group for each week they fall in (with whose
    each of its requests is, if the group says)."""
    kind_of, away, status, letter, _n, packed_vs, packed_cals, hv, hc = entry
    vs, cals, who = unpack(packed_vs), unpack(packed_cals), unpack(whose or "")
    out: dict[int, list] = {}
    for i, h in enumerate(hv):
        week = hours.week.get(h)
        if week is not None:
            part = out.get(week) or out.setdefault(
                week, [kind_of, away, status, letter, 0, array("i"), array("i"), array("i")])
            part[4] += 1
            if vs:
                part[5].append(vs[i])
            if who:
                part[7].append(who[i])
    for c, h in zip(cals, hc):
        week = hours.week.get(h)
        if week is not None:
            out[week][6].append(c)  # the same requests as the business seconds': their week is there
    return {week: ([*part[:5], pack(part[5]), pack(part[6])], None if whose is None else pack(part[7]))
            for week, part in out.items()}


def _days(first, last):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)
