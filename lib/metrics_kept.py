"""The response-time figures from the rows kept up to date as requests happen (lib.metric_days).

The same figures as lib.metrics_query.figures, to the last bit (tests compare the two), without going
back to `bookings`: one row per therapist and day of the period, each holding its day's requests. What
depends on the moment or the practice's settings is worked out here, as the SQL does it: whether an open
request is past due, how long unanswered ones have waited (business time by the current calendar), which
week a request falls in, whether an answer was within the current target.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from datetime import timedelta

from sqlalchemy.engine import Connection

from lib.business_hours import business_seconds_between
from lib.metric_days import micros, read
from lib.metrics_query import BIN_EDGES, COUNTS, TIMES, RequestRows
from lib.metrics_sql import from_epoch, to_epoch

_BIN_LIMITS = [int(e * 3600) for e in BIN_EDGES[1:]]


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
            if status == "declined":
                c["declined"] += 1
            elif status == "expired":
                c["expired"] += 1
        if kind in ("answered", "unanswered", "waiting", "cancelled"):
            c[kind] += 1
        c["within_target"] += within
        c["away"] += away
        if v is not None:
            self.v.append(v)
        if cal is not None:
            self.cal.append(cal)

    def entry(self, times: bool, calendar: bool) -> dict:
        out = dict(self.counts) | dict.fromkeys(TIMES)
        if times:
            self.v.sort()
            out["p50"], out["p90"] = percentile(self.v, 0.5), percentile(self.v, 0.9)
        if calendar:
            self.cal.sort()
            out["cal50"] = percentile(self.cal, 0.5)
        return out


def _requests(conn: Connection, rows: RequestRows):
    """Each request of the scope as (therapist, kind, status, v, cal, within, away, week), as the SQL rows."""
    s, cal = rows.scope, rows.rules.calendar
    start_us, end_us, now_us = micros(s.start), micros(s.end), micros(s.now)
    now_s = to_epoch(s.now)
    weeks = [micros(w) for w in rows.week_starts]
    target, one_therapist = rows.target_seconds, s.therapist_id is not None
    last_day = (s.end - timedelta(microseconds=1)).date()
    for therapist_id, facts in read(conn, s.start.date(), last_day, s.therapist_id):
        for _id, req_us, kind_of, status, first_s, business_s, expires_s, due_us, away in json.loads(facts):
            if not start_us <= req_us < end_us or (s.session_type is not None and kind_of != s.session_type):
                continue
            left_out = one_therapist and away
            v = c = None
            within = 0
            if left_out:
                kind = "away"
            elif first_s is not None:
                kind, v, c = "answered", business_s, first_s - req_us // 1_000_000
                within = 1 if business_s is not None and business_s <= target else 0
            elif status == "cancelled":
                kind = "cancelled"
            elif status != "unconfirmed" or due_us <= now_us:
                kind = "unanswered"
                req_s = req_us // 1_000_000
                end_s = now_s if status == "unconfirmed" else min(now_s if expires_s is None else expires_s, now_s)
                v = business_seconds_between(from_epoch(req_s), from_epoch(end_s), cal)
                c = max(end_s - req_s, 0)
            else:
                kind = "waiting"
            yield therapist_id, kind, status, v, c, within, away, max(bisect_right(weeks, req_us) - 1, 0)


def figures(conn: Connection, rows: RequestRows, groupings=("all", "therapist_id", "week", "bin")) -> dict:
    """{grouping: {key: {requests, answered, ..., p50, p90, cal50}}}: lib.metrics_query.figures' answer."""
    groups: dict = {g: {} for g in groupings}
    everything = groups["all"].setdefault(0, _Group()) if "all" in groups else None
    for therapist_id, kind, status, v, c, within, away, week in _requests(conn, rows):
        fact = (kind, status, v, c, within, away)
        if everything is not None:
            everything.add(*fact)
        if "week" in groups:
            groups["week"].setdefault(week, _Group()).add(*fact)
        if "therapist_id" in groups and not away:  # each therapist's own figures leave out their time away
            groups["therapist_id"].setdefault(therapist_id, _Group()).add(*fact)
        if "bin" in groups and v is not None:
            groups["bin"].setdefault(_bin(v), _Group()).add(*fact)
    return {g: {k: grp.entry(g != "bin", g == "all") for k, grp in by_key.items()} for g, by_key in groups.items()}

