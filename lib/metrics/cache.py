"""Response-time figures worked out recently, reused for a few minutes.

Working out a month of a large practice's figures takes a few hundred milliseconds of SQL at a
million bookings (lib.metrics.query); a manager flicking between filters, or several managers
looking at the same month, should not pay that each time. Help-desk reports do the same: the
figures say how old they are and can be refreshed. What is kept is aggregates only (counts and
times per therapist, week and bar, with therapists' names), never a client's data, and
lib.metrics.report checks the viewer's access before handing any of it out. Only "open now" and
"overdue now" are not kept: they are read live on every view.

BOOKING_DESK_METRICS_MAX_AGE (seconds, default 300) sets how long figures are reused; 0 turns
reuse off. The keys hold the database address, the practice's settings and every filter, so a
change of settings or database is never answered from old figures.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import cachetools

from lib.core import clock, config

MAX_ENTRIES = 256  # filters a practice's managers use in five minutes; the least recently used go first


@dataclass(frozen=True)
class Kept:
    value: Any
    worked_out_at: datetime  # naive UTC, by the application clock (shown on the page)
    monotonic: float  # when, by this process's clock (which tests never freeze)


def max_age() -> float:
    return config.settings().BOOKING_DESK_METRICS_MAX_AGE


_lock = threading.Lock()
_entries: cachetools.TTLCache = cachetools.TTLCache(MAX_ENTRIES, 1.0, timer=time.monotonic)
_working: dict[Hashable, threading.Lock] = {}  # one viewer works a key out; others wait for it


def _cache() -> cachetools.TTLCache:
    """The kept figures, as old as BOOKING_DESK_METRICS_MAX_AGE allows (a changed setting starts afresh)."""
    global _entries
    if _entries.ttl != max_age():
        _entries = cachetools.TTLCache(MAX_ENTRIES, max_age(), timer=time.monotonic)
    return _entries


def recent(key: Hashable) -> Kept | None:
    """The figures kept for `key`, if recent enough; never works them out."""
    if max_age() <= 0:
        return None
    with _lock:
        return _cache().get(key)


def get(key: Hashable, work_out: Callable[[], Any], refresh: bool = False) -> Kept:
    """The figures for `key`, worked out now if none are recent enough (or `refresh` asks for it).

    One viewer works a key out at a time; others asking for the same key meanwhile wait and reuse it.
    """
    if max_age() <= 0:  # reuse is off: nothing to share, nobody waits for anybody
        return Kept(work_out(), clock.now(), time.monotonic())
    if not refresh and (kept := recent(key)):
        return kept
    asked_at = time.monotonic()
    with _lock:
        working = _working.setdefault(key, threading.Lock())
    try:
        with working:
            kept = recent(key)
            if kept is not None and (not refresh or kept.monotonic >= asked_at):
                return kept  # worked out by someone else while we waited
            kept = Kept(work_out(), clock.now(), time.monotonic())
            with _lock:
                _cache()[key] = kept
            return kept
    finally:
        with _lock:  # a lock nobody holds or waits for is dropped (at worst two viewers work out the same key)
            if _working.get(key) is working and not working.locked():
                del _working[key]


def keep(key: Hashable, value: Any) -> None:
    """Keep figures worked out as part of other figures (the practice's, beside a manager's table)."""
    if max_age() > 0:
        with _lock:
            _cache()[key] = Kept(value, clock.now(), time.monotonic())


def forget() -> None:
    """Drop everything kept (tests start each from nothing)."""
    with _lock:
        _cache().clear()
        _working.clear()
