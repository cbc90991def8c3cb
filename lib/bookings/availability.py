"""Is the therapist free, and working, at a given time?"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, literal, literal_column, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from lib.calendars import busy as calendar_busy
from lib.core import clock, db
from lib.core.json_lists import json_list, rows, timestamp
from lib.core.models import Booking, CalendarBusy, TimeOffer, User
from lib.core.vocabulary import BookingStatus
from lib.practice.business_hours import DAYS

MAX_DURATION = timedelta(minutes=240)  # longest session the import accepts; bounds the clash query


@dataclass(frozen=True)
class Clash:
    booking_id: int | None  # None: busy in the therapist's own calendar (lib.calendars.busy)
    starts_at: datetime
    duration_minutes: int
    what: str  # "confirmed session" | "offered time" | calendar_busy.WHAT

    @property
    def outside(self) -> bool:
        """Busy in the therapist's own calendar (no title is ever known here)."""
        return self.booking_id is None


@dataclass(frozen=True)
class Availability:
    clashes: list[Clash]
    outside_hours: bool
    working_hours_text: str

    @property
    def ok(self) -> bool:
        return not self.clashes and not self.outside_hours


# Confirmed sessions and open offered times near the asked time, built once with bound parameters.
_NEAR = union_all(
    select(Booking.id, Booking.starts_at, Booking.duration_minutes, literal("confirmed session")).where(
        Booking.therapist_id == bindparam("tid"), Booking.status == BookingStatus.CONFIRMED,
        Booking.starts_at < bindparam("end", type_=Booking.starts_at.type),
        Booking.starts_at > bindparam("earliest", type_=Booking.starts_at.type)),
    select(TimeOffer.booking_id, TimeOffer.starts_at, Booking.duration_minutes, literal("offered time"))
    .join(Booking, Booking.id == TimeOffer.booking_id)
    .where(Booking.therapist_id == bindparam("tid"), TimeOffer.open.is_(True), Booking.status == BookingStatus.AWAITING_CLIENT,
           TimeOffer.starts_at < bindparam("end", type_=TimeOffer.starts_at.type),
           TimeOffer.starts_at > bindparam("earliest", type_=TimeOffer.starts_at.type)),
)


def check(session: Session | Connection, therapist: User, starts_at: datetime, duration_minutes: int,
          ignore_booking_id: int | None = None) -> Availability:
    end = starts_at + timedelta(minutes=duration_minutes)
    near: list[Any] = list(session.execute(_NEAR, {"tid": therapist.id, "end": end,
                                                   "earliest": starts_at - MAX_DURATION}))
    near += busy_rows(calendar_busy.busy_between(session, therapist.id, starts_at, end))
    return from_near(therapist, starts_at, duration_minutes, near, ignore_booking_id)


def busy_rows(busy) -> list[tuple]:
    """Busy times from the therapist's own calendar as `from_near` rows (no booking id, minutes rounded up)."""
    return [(None, a, -(-(b - a) // timedelta(minutes=1)), calendar_busy.WHAT) for a, b in busy]


def from_near(therapist, starts_at: datetime, duration_minutes: int, near,
              ignore_booking_id: int | None) -> Availability:
    """The check, given the therapist's sessions and offered times that start near the time asked for:
    (booking id, starts at, minutes, what) rows, as `check` reads them or `near_list` gives them."""
    end = starts_at + timedelta(minutes=duration_minutes)
    clashes = [Clash(bid, s, d, what) for bid, s, d, what in near
               if (bid is None or bid != ignore_booking_id) and s < end and s + timedelta(minutes=d) > starts_at]
    clashes.sort(key=lambda c: (c.what != "confirmed session", c.starts_at, c.booking_id or 0))
    outside, text = _outside_hours(therapist, starts_at, end)
    return Availability(clashes, outside, text)


def _minutes_after(at, minutes, dialect: str):
    """`at` plus a number of minutes (negative: before), in SQL. SQLite's datetime() drops the microseconds
    it stores, so its bounds are up to a second wide; from_near checks the exact times."""
    if dialect == "postgresql":
        return at + literal_column("interval '1 minute'") * minutes
    return func.datetime(at, func.printf("%+d minutes", minutes))


def near_list(dialect: str):
    """For a query on Booking: its therapist's confirmed sessions and open offered times that start near
    it, as a JSON list of rows for `from_near` (the session page reads them in its one query)."""
    other, offered_for = aliased(Booking), aliased(Booking)
    earliest = _minutes_after(Booking.starts_at, -int(MAX_DURATION.total_seconds() // 60), dialect)
    end = _minutes_after(Booking.starts_at, Booking.duration_minutes, dialect)
    confirmed = json_list(
        [other.id, other.starts_at, other.duration_minutes],
        [other.therapist_id == Booking.therapist_id, other.status == db.fixed("confirmed"), other.starts_at < end,
         other.starts_at > earliest, other.id != Booking.id], [], dialect)
    offered = json_list(
        [TimeOffer.booking_id, TimeOffer.starts_at, offered_for.duration_minutes],
        [offered_for.id == TimeOffer.booking_id, offered_for.therapist_id == Booking.therapist_id,
         TimeOffer.open.is_(True), offered_for.status == db.fixed("awaiting_client"), TimeOffer.starts_at < end,
         TimeOffer.starts_at > earliest, offered_for.id != Booking.id], [], dialect)
    return confirmed, offered


def near_rows(confirmed, offered, busy=None) -> list[tuple]:
    """The rows of near_list's lists (and busy_list's), as `from_near` takes them."""
    return ([(bid, timestamp(at), minutes, "confirmed session") for bid, at, minutes in rows(confirmed)]
            + [(bid, timestamp(at), minutes, "offered time") for bid, at, minutes in rows(offered)]
            + busy_rows([(timestamp(a), timestamp(b)) for a, b in rows(busy)]))


def busy_list(dialect: str):
    """For a query on Booking: its therapist's outside busy times that overlap it, as a JSON list for
    near_rows (the session page reads them in its one query)."""
    end = _minutes_after(Booking.starts_at, Booking.duration_minutes, dialect)
    return json_list([CalendarBusy.starts_at, CalendarBusy.ends_at],
                     [CalendarBusy.user_id == Booking.therapist_id, CalendarBusy.starts_at < end,
                      CalendarBusy.ends_at > Booking.starts_at], [], dialect)


def _outside_hours(therapist: User, start: datetime, end: datetime) -> tuple[bool, str]:
    hours = therapist.working_hours
    if not hours:
        return False, "no working hours set"
    local_start = clock.local(start, therapist.timezone)
    local_end = clock.local(end, therapist.timezone)
    day = DAYS[local_start.weekday()]
    spans = hours.get(day, [])
    text = ", ".join(f"{a}–{b}" for a, b in spans) or "not working"
    text = f"{day.title()}: {text}"
    if local_end.date() != local_start.date():
        return True, text
    s, e = local_start.strftime("%H:%M"), local_end.strftime("%H:%M")
    return not any(a <= s and e <= b for a, b in spans), text


# --- free times a therapist would actually offer ---

SLOT_STEP = timedelta(minutes=30)  # suggestions start on the hour or half hour
LOOK_AHEAD = timedelta(days=21)
PER_DAY = 2  # spread suggestions over several days, so the client has a real choice


def _busy(session: Session | Connection, therapist_id: int, start: datetime, end: datetime,
          ignore_booking_id: int | None) -> list[tuple[datetime, datetime]]:
    near = session.execute(_NEAR, {"tid": therapist_id, "end": end, "earliest": start - MAX_DURATION})
    return ([(s, s + timedelta(minutes=d)) for bid, s, d, _ in near if bid != ignore_booking_id]
            + calendar_busy.busy_between(session, therapist_id, start, end))


def free_slots(session: Session | Connection, therapist: User, duration_minutes: int, after: datetime,
               count: int = 6, avoid: tuple[datetime, ...] = (), ignore_booking_id: int | None = None,
               skip_day=lambda day: False) -> list[datetime]:
    """The next starts (naive UTC) of `duration_minutes` inside the therapist's working hours, no earlier
    than `after`, clear of their confirmed sessions and open offers and of each other, at most PER_DAY a day.

    `avoid` are starts not to suggest (the time the client asked for); `skip_day(local date)` leaves out a
    day (the practice's bank holidays). No working hours set: no suggestions (we won't guess them).
    """
    hours = therapist.working_hours
    if not hours or not any(hours.get(d) for d in DAYS):
        return []
    zone = ZoneInfo(therapist.timezone)
    length = timedelta(minutes=duration_minutes)
    busy = _busy(session, therapist.id, after, after + LOOK_AHEAD + length, ignore_booking_id)
    found: list[datetime] = []
    day = clock.local(after, therapist.timezone).date()
    for _ in range(LOOK_AHEAD.days):
        on_day = 0
        for a, b in ([] if skip_day(day) else hours.get(DAYS[day.weekday()], [])):
            start = _utc(datetime.combine(day, time.fromisoformat(a), tzinfo=zone))
            end = _utc(datetime.combine(day, time.fromisoformat(b), tzinfo=zone))
            while start + length <= end and on_day < PER_DAY:
                if start >= after and start not in avoid and not any(s < start + length and start < e
                                                                     for s, e in busy):
                    found.append(start)
                    on_day += 1
                    if len(found) == count:
                        return found
                    # The next suggestion starts after this one ends, so any of them can be offered together.
                    start += -(-length // SLOT_STEP) * SLOT_STEP
                    continue
                start += SLOT_STEP
        day += timedelta(days=1)
    return found


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)
