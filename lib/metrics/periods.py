"""The period a manager looks at: the last N days, or two dates, in the practice's time zone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lib.core import clock
from lib.core.errors import InvalidInput

DEFAULT_DAYS = 30


LONGEST_PERIOD_DAYS = 3 * 366  # keeps the calendar tables the query carries small


@dataclass(frozen=True)
class Period:
    start: datetime  # naive UTC, inclusive
    end: datetime  # naive UTC, exclusive
    label: str
    days: int | None = None  # "the last N days", which moves with the clock

    @property
    def key(self) -> tuple:
        return ("last", self.days) if self.days is not None else ("between", self.start, self.end)


def last_days(days: int = DEFAULT_DAYS, now: datetime | None = None) -> Period:
    now = now or clock.now()
    return Period(now - timedelta(days=days), now, f"the last {days} days", days)


def between(first: date, last: date, tz: str) -> Period:
    """Whole local days from `first` to `last` inclusive, in the viewer's timezone."""
    if last < first:
        raise InvalidInput("The period's end date is before its start date.", "period")
    if (last - first).days >= LONGEST_PERIOD_DAYS:
        raise InvalidInput("Please choose a period of at most three years.", "period")
    zone = ZoneInfo(tz)
    start = clock.to_utc_naive(datetime.combine(first, time(0), tzinfo=zone))
    end = clock.to_utc_naive(datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone))
    return Period(start, end, f"{first:%-d %b %Y} – {last:%-d %b %Y}")
