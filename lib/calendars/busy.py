"""Busy times from the therapist's own calendar (the secret ICS address they paste in /settings).

Read when saved and then every 15 minutes, off any page's path (a thread of its own, and the server's
background loop): lib.calendars.fetch does the careful reading. Recurring events, all-day events and time
zones are expanded with recurring-ical-events. Only busy intervals are kept (start and end, UTC), never a
title, a place or a description. They count in the clash check (lib.bookings.availability), so Confirm and the
suggested times see them, and a clash says "busy in your calendar" and nothing about the event.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal, cast, overload
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import CursorResult, Table, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.calendars import fetch
from lib.calendars.fetch import CalendarFetchError
from lib.core import clock, config
from lib.core.access import Actor, require_actor
from lib.core.db import unit_of_work
from lib.core.errors import BookingDeskError, InvalidInput
from lib.core.models import CalendarBusy, TherapistCalendar, User
from lib.core.vocabulary import AuditAction

log = logging.getLogger("booking_desk.calendar")

EVERY = timedelta(minutes=15)
LOOK_BACK = timedelta(days=1)
LOOK_AHEAD = timedelta(days=180)
MAX_INTERVALS = 5000
WHAT = "busy in your calendar"  # the clash's words (lib.bookings.availability); never the event's title
OWN_UIDS = "@booking-desk"  # our own sessions, if the therapist copied them into their calendar: not "busy"


# --- reading a calendar file ---

def _to_utc(value, zone: ZoneInfo) -> datetime:
    """A naive UTC datetime from an ICS value: a date is midnight where the therapist is; a floating time too."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC).replace(tzinfo=None)


def _end_of(event, start):
    if "DTEND" in event:
        return event.decoded("DTEND")
    if "DURATION" in event:
        return start + event.decoded("DURATION")
    return start + timedelta(days=1) if not isinstance(start, datetime) else start


def busy_intervals(data: bytes, tz: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The busy times (naive UTC, merged, sorted) between `start` and `end` (naive UTC) in an ICS file.

    Free ("transparent") and cancelled events don't count; nor do Booking Desk's own sessions."""
    zone = ZoneInfo(tz)
    try:
        cal = Calendar.from_ical(data)
        local_start = clock.local(start, tz).replace(tzinfo=None) - timedelta(days=1)
        local_end = clock.local(end, tz).replace(tzinfo=None) + timedelta(days=1)
        events = recurring_ical_events.of(cal, skip_bad_series=True).between(local_start, local_end)
    except Exception:
        raise CalendarFetchError("The address answered, but not with a calendar we could read (an .ics file). "
                                 "Please check you copied the calendar's secret address in iCal format.") from None
    found = []
    for event in events:
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT" or \
                str(event.get("STATUS", "")).upper() == "CANCELLED" or str(event.get("UID", "")).endswith(OWN_UIDS):
            continue
        first = event.decoded("DTSTART")
        s, e = _to_utc(first, zone), _to_utc(_end_of(event, first), zone)
        if e > s and s < end and e > start:
            found.append((s, e))
    found.sort()
    merged: list[list[datetime]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged[:MAX_INTERVALS]]


# --- the clash check's view ---

_BUSY = (select(CalendarBusy.starts_at, CalendarBusy.ends_at)
         .where(CalendarBusy.user_id == bindparam("tid"),
                CalendarBusy.starts_at < bindparam("end", type_=CalendarBusy.starts_at.type),
                CalendarBusy.ends_at > bindparam("start", type_=CalendarBusy.ends_at.type))
         .order_by(CalendarBusy.starts_at))


def busy_between(s: Session | Connection, therapist_id: int, start: datetime, end: datetime
                 ) -> list[tuple[datetime, datetime]]:
    """The therapist's outside busy times that overlap [start, end)."""
    return [(a, b) for a, b in s.execute(_BUSY, {"tid": therapist_id, "start": start, "end": end})]


# --- settings ---

@dataclass(frozen=True)
class BusyStatus:
    connected: bool
    where: str | None  # the calendar service's name only (the rest of the address is the secret)
    saved_at: datetime | None
    fetched_at: datetime | None  # last successful read
    tried_at: datetime | None
    error: str | None
    count: int  # busy times now known (next 180 days)

    @property
    def waiting(self) -> bool:
        """Saved (or asked to read again) and not read since."""
        return self.connected and (self.tried_at is None or (self.saved_at is not None
                                                             and self.tried_at < self.saved_at))


@overload
def _row(s: Session, user_id: int, create: Literal[True]) -> TherapistCalendar: ...
@overload
def _row(s: Session, user_id: int, create: bool = False) -> TherapistCalendar | None: ...
def _row(s: Session, user_id: int, create: bool = False) -> TherapistCalendar | None:
    row = s.get(TherapistCalendar, user_id, with_for_update=create)
    if row is None and create:
        row = TherapistCalendar(user_id=user_id, busy_count=0)
        s.add(row)
    return row


def status(actor: Actor) -> BusyStatus:
    actor = require_actor(actor)
    with unit_of_work() as s:
        row = _row(s, actor.id)
        if row is None or not row.busy_url:
            return BusyStatus(False, None, None, None, None, None, 0)
        try:
            host = urlsplit(fetch.normalise(row.busy_url)).hostname
        except CalendarFetchError:
            host = None
        return BusyStatus(True, host, row.busy_saved_at, row.busy_fetched_at, row.busy_tried_at, row.busy_error,
                          row.busy_count or 0)


def save_url(actor: Actor, url: str, browser_session: str | None = None) -> None:
    """Keep the calendar's address (encrypted) and read it at once, off the page's path."""
    actor = require_actor(actor)
    try:
        url = fetch.normalise(url)
    except CalendarFetchError as exc:
        raise InvalidInput(exc.message, "busy_url") from None
    with unit_of_work(write=True) as s:
        row = _row(s, actor.id, create=True)
        now = clock.now()
        row.busy_url, row.busy_saved_at, row.busy_next_at = url, now, now
        row.busy_error, row.busy_tried_at, row.busy_fetched_at, row.busy_count = None, None, None, 0
        s.execute(delete(CalendarBusy).where(CalendarBusy.user_id == actor.id))  # another calendar's times go
        trail.record(s, actor.username, AuditAction.CALENDAR_BUSY_SET, browser_session=browser_session)
    read_soon(actor.id)


def read_again(actor: Actor) -> None:
    """'Read it now': the next read is due at once (the 15 minutes start again after it)."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        row = _row(s, actor.id)
        if row is None or not row.busy_url:
            raise InvalidInput("There is no calendar address to read. Paste one first.")
        row.busy_next_at = row.busy_saved_at = clock.now()
    read_soon(actor.id)


def remove_url(actor: Actor, browser_session: str | None = None) -> None:
    """Forget the address and every busy time read from it."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        row = _row(s, actor.id)
        if row is not None:
            row.busy_url = row.busy_saved_at = row.busy_fetched_at = row.busy_tried_at = None
            row.busy_error, row.busy_next_at, row.busy_count = None, None, 0
        s.execute(delete(CalendarBusy).where(CalendarBusy.user_id == actor.id))
        trail.record(s, actor.username, AuditAction.CALENDAR_BUSY_REMOVED, browser_session=browser_session)


# --- reading, in the background ---

def _claim(user_id: int) -> tuple[str, datetime | None, str] | None:
    """Take the due read for this therapist (one app server wins): (address, saved at, timezone) or None."""
    now = clock.now()
    with unit_of_work(write=True) as s:
        t = TherapistCalendar.__table__.c
        claimed = cast(CursorResult[Any], s.execute(update(cast(Table, TherapistCalendar.__table__)).where(
            t.user_id == user_id, t.busy_url.is_not(None), or_(t.busy_next_at.is_(None), t.busy_next_at <= now))
            .values(busy_next_at=now + EVERY))).rowcount
        if not claimed:
            return None
        row = s.get(TherapistCalendar, user_id)
        assert row is not None and row.busy_url is not None  # the claim just updated this row, with an address
        tz = s.scalar(select(User.timezone).where(User.id == user_id)) or "Europe/London"
        return row.busy_url, row.busy_saved_at, tz


def refresh(user_id: int) -> bool:
    """Read this therapist's calendar if a read is due; True if one was made (good or not)."""
    claimed = _claim(user_id)
    if claimed is None:
        return False
    url, saved_at, tz = claimed
    now = clock.now()
    try:
        busy, error = busy_intervals(fetch.fetch(url), tz, now - LOOK_BACK, now + LOOK_AHEAD), None
    except CalendarFetchError as exc:
        busy, error = None, exc.message
    except Exception:
        log.exception("reading a therapist's calendar failed")
        busy, error = None, "Something went wrong reading the calendar. We'll try again in 15 minutes."
    with unit_of_work(write=True) as s:
        row = _row(s, user_id, create=True)
        if row.busy_url != url or row.busy_saved_at != saved_at:
            return True  # changed or removed meanwhile: this read is of an old address
        row.busy_tried_at, row.busy_error = clock.now(), error
        if busy is not None:
            s.execute(delete(CalendarBusy).where(CalendarBusy.user_id == user_id))
            if busy:
                s.execute(insert(CalendarBusy), [{"user_id": user_id, "starts_at": a, "ends_at": b} for a, b in busy])
            row.busy_fetched_at, row.busy_count = row.busy_tried_at, len(busy)
    return True


def refresh_due() -> int:
    """Read every calendar whose read is due; returns how many were read."""
    now = clock.now()
    with unit_of_work() as s:
        due = list(s.scalars(select(TherapistCalendar.user_id).join(User, User.id == TherapistCalendar.user_id).where(
            TherapistCalendar.busy_url.is_not(None), User.active.is_(True),
            or_(TherapistCalendar.busy_next_at.is_(None), TherapistCalendar.busy_next_at <= now))))
    return sum(_quietly(refresh, uid) for uid in due)


def _quietly(fn, *args) -> bool:
    try:
        return bool(fn(*args))
    except BookingDeskError as exc:
        log.warning("calendar read skipped: %s", exc.message)
    except Exception:
        log.exception("calendar read failed")
    return False


def read_soon(user_id: int) -> threading.Thread:
    """Read this therapist's calendar now on a thread of its own: the page that asked never waits for it."""
    thread = threading.Thread(target=_quietly, args=(refresh, user_id), name=f"calendar-read-{user_id}",
                              daemon=True)
    thread.start()
    return thread


class Background(threading.Thread):
    """The server's calendar reader: every minute, reads the calendars that are due (each every 15 minutes)."""

    def __init__(self, interval: float = 60.0):
        super().__init__(name="booking-desk-calendars", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            _quietly(refresh_due)
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()


def start_background() -> Background | None:
    """Start the calendar reader, unless BOOKING_DESK_CALENDAR_SYNC=off."""
    if not config.settings().BOOKING_DESK_CALENDAR_SYNC:
        return None
    thread = Background()
    thread.start()
    return thread
