"""One place to ask the time, so tests can move it instead of sleeping."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

_frozen: datetime | None = None


def now() -> datetime:
    """Current time as naive UTC (how the database stores it)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def freeze(at: datetime | None) -> None:
    """Tests only: pin the clock (naive UTC or aware), or None to release it."""
    global _frozen
    _frozen = to_utc_naive(at) if at is not None else None


def to_utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def local(value: datetime, tz: str) -> datetime:
    """A stored naive-UTC time as an aware time in `tz`."""
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))


@lru_cache(maxsize=4096)  # a page shows the same stored times on every rerun
def fmt_local(value: datetime, tz: str, with_zone: bool = True) -> str:
    """'Tue 3 Dec 2026, 14:30 GMT' — the way times are shown to people."""
    t = local(value, tz)
    text = f"{t:%a} {t.day} {t:%b %Y}, {t:%H:%M}"
    return f"{text} {t.tzname()}" if with_zone else text


def humanize_delta(seconds: float) -> str:
    """'3 h 20 min', '2 days 4 h', '12 min' — for waiting and due times."""
    seconds = abs(int(seconds))
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h" if hours else f"{days} days"


def from_local(day, at_time, tz: str) -> datetime:
    """A wall-clock date and time in `tz` (what a person typed) as naive UTC."""
    aware = datetime.combine(day, at_time, tzinfo=ZoneInfo(tz))
    return aware.astimezone(UTC).replace(tzinfo=None)
