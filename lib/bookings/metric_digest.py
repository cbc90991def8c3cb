"""The digest of a therapist's or a practice's day of requests (lib.bookings.metric_days keeps one per row):
its settled requests summed up ahead of time, grouped, their seconds packed, each with its UTC hour, and for a
practice's day whose each request is. lib.metrics.kept reads them back.
"""
from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable
from itertools import repeat

from lib.core.vocabulary import BookingStatus

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
