"""Business-hours arithmetic: weekly opening hours, bank holidays, DST-safe.

All inputs and outputs are naive UTC; opening hours are wall-clock times in
the practice's timezone, so an hour "09:00" is 09:00 local on both sides of a
clock change.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

import holidays

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WEEK = {d: [("09:00", "17:30")] if d not in ("sat", "sun") else [] for d in DAYS}


@dataclass(frozen=True)
class BusinessCalendar:
    tz: str = "Europe/London"
    week: tuple = field(default_factory=lambda: _week_tuple(DEFAULT_WEEK))
    country: str = "GB"
    subdiv: str | None = "ENG"

    @classmethod
    def from_settings(cls, tz: str, week: dict, country: str, subdiv: str | None) -> BusinessCalendar:
        return cls(tz=tz, week=_week_tuple(week), country=country, subdiv=subdiv or None)

    def is_holiday(self, day: date) -> bool:
        return day in _holidays(self.country, self.subdiv, day.year)

    def intervals_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """Opening intervals of a local date, as naive-UTC pairs."""
        return _intervals(self, day)

    def _compute_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if self.is_holiday(day):
            return ()
        zone = ZoneInfo(self.tz)
        out = []
        for start, end in self.week[day.weekday()]:
            a = datetime.combine(day, start, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
            b = datetime.combine(day, end, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
            out.append((a, b))
        return tuple(out)

    def local_date(self, utc_naive: datetime) -> date:
        return utc_naive.replace(tzinfo=UTC).astimezone(ZoneInfo(self.tz)).date()


@lru_cache(maxsize=65536)
def _intervals(cal: BusinessCalendar, day: date):
    return cal._compute_intervals(day)


def _parse(t: str) -> time:
    h, m = t.split(":")
    return time(int(h), int(m))


def _week_tuple(week: dict) -> tuple:
    return tuple(
        tuple((_parse(a), _parse(b)) for a, b in week.get(d, [])) for d in DAYS
    )


@lru_cache(maxsize=256)
def _holidays(country: str, subdiv: str | None, year: int):
    return holidays.country_holidays(country, subdiv=subdiv, years=year)


# A year without a single opening hour would loop forever; stop looking after this.
_MAX_DAYS = 400


def add_business_seconds(start: datetime, seconds: float, cal: BusinessCalendar) -> datetime:
    """The instant `seconds` of opening time after `start` (clock starts at the next opening)."""
    remaining = timedelta(seconds=seconds)
    day = cal.local_date(start)
    for _ in range(_MAX_DAYS):
        for a, b in cal.intervals_on(day):
            a = max(a, start)
            if a >= b:
                continue
            if a + remaining <= b:
                return a + remaining
            remaining -= b - a
        day += timedelta(days=1)
    raise ValueError("The practice has no business hours configured.")


def business_seconds_between(start: datetime, end: datetime, cal: BusinessCalendar) -> int:
    """Opening time between two instants, in whole seconds (0 if end <= start)."""
    if end <= start:
        return 0
    total = timedelta()
    day = cal.local_date(start)
    last = cal.local_date(end)
    while day <= last:
        for a, b in cal.intervals_on(day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return int(total.total_seconds())


_EPOCH = datetime(1970, 1, 1)


class OpeningTimeUntil:
    """Opening time from many instants to one `end`: business_seconds_between(start, end) for each, as a
    binary search over the opening intervals from `earliest` to `end`, added up once.

    Why: /metrics works out the wait of every open request past its due time until now, on every view
    worked out afresh (about 2,000 requests at a million bookings, 6,000 at three); day by day with the
    calendar that was a quarter of the view's server time, and it grew with the data. Instants are whole
    seconds since the Unix epoch (UTC), as lib.metrics keeps them; one before `earliest` is walked day by day.
    """

    def __init__(self, cal: BusinessCalendar, earliest: datetime, end: datetime):
        self.cal, self.earliest_s, self.end = cal, _seconds(earliest), end
        spans = []
        day, last = cal.local_date(earliest), cal.local_date(end)
        while day <= last:
            spans += [(a, min(b, end)) for a, b in cal.intervals_on(day) if min(b, end) > a]
            day += timedelta(days=1)
        spans.sort()
        self.starts = [_seconds(a) for a, _ in spans]
        self.ends = [_seconds(b) for _, b in spans]
        lengths = [b - a for a, b in zip(self.starts, self.ends)]
        self.from_span = list(accumulate(reversed(lengths)))[::-1] + [0]  # opening time from each span on

    def seconds_from(self, start_s: int) -> int:
        if start_s < self.earliest_s:
            return business_seconds_between(_EPOCH + timedelta(seconds=start_s), self.end, self.cal)
        i = bisect_right(self.ends, start_s)  # the first span still open after `start`
        if i == len(self.ends):
            return 0
        return self.from_span[i] - max(start_s - self.starts[i], 0)


def _seconds(utc_naive: datetime) -> int:
    return int((utc_naive - _EPOCH).total_seconds())
