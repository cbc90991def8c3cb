"""One booking typed in by a practice manager (a phone booking, say).

The values go through the same checks as an imported CSV row (`import_rows.check_values`),
including the duplicate rule, and the booking is made by `intake.create_booking`, so the
result is the same as importing that row. Before saving, the manager sees whether the
therapist is free: the clash check against their confirmed sessions and open offers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.bookings import availability
from lib.bookings.intake import NewBooking, create_booking
from lib.core import clock
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import Booking, Client, User
from lib.core.vocabulary import AuditAction
from lib.imports.importer import lock_new_bookings
from lib.imports.rows import check_values, forget_contacts
from lib.people import directory
from lib.people.directory import Therapist
from lib.practice.rules import Rules


@dataclass(frozen=True)
class Review:
    """What saving these values would do, or why it can't (one message per form field)."""

    problems: dict[str, str]
    therapist_name: str | None = None
    starts_at: datetime | None = None  # naive UTC
    availability: availability.Availability | None = None
    client_known: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Saved:
    booking_id: int
    client_created: bool
    messages: int


def therapist_choices(actor: Actor) -> list[Therapist]:
    """The therapists a manager can enter a booking for (with their places and video services)."""
    require_manager(actor)
    return directory.therapists(actor)


def review(actor: Actor, values: dict[str, str]) -> Review:
    """Check the form as an import row would be checked, and look for clashes with confirmed sessions."""
    require_manager(actor)
    with unit_of_work() as s:
        req, user, problems = _check(s, actor, values)
        if problems:
            return Review(problems)
        assert req is not None and user is not None  # _check gives both whenever it finds no problem
        client = s.scalar(select(Client.id).where(Client.email == req.client_email))
        return Review({}, user.name, req.starts_at,
                      availability.check(s, user, req.starts_at, req.duration_minutes), client is not None)


def save(actor: Actor, values: dict[str, str], browser_session: str | None = None) -> Saved:
    """Make the booking (same checks again, in the saving transaction). InvalidInput names the field."""
    require_manager(actor)
    with unit_of_work(write=True) as s:
        lock_new_bookings(s)
        req, user, problems = _check(s, actor, values)
        if problems:
            field, message = next(iter(problems.items()))
            raise InvalidInput(message, field)
        assert req is not None and user is not None  # _check gives both whenever it finds no problem
        created = create_booking(s, Rules.load(s), user, req)
        trail.record(s, actor.username, AuditAction.ADD_BOOKING, booking_id=created.booking.id,
                     client_id=created.booking.client_id, browser_session=browser_session)
        return Saved(created.booking.id, created.client_created, created.messages)


def _past_as_typed(starts_at: str, tz: str) -> str | None:
    """A start time in the past, in the words and time zone the manager typed it in (not an ISO timestamp)."""
    try:
        when = clock.to_utc_naive(datetime.fromisoformat(starts_at.strip()))
    except ValueError:
        return None
    return f"{clock.fmt_local(when, tz)} is in the past. Please choose a later date or time."


def _check(s: Session, actor: Actor, values: dict[str, str]) -> tuple[NewBooking | None, User | None, dict]:
    therapists = {u.username: u for u in s.scalars(select(User))}
    # The manager who typed it in is shown as who asked ("Requested ... by morgan").
    req, problems = check_values(values, therapists, requested_by=actor.username)
    forget_contacts()
    by_field: dict[str, str] = {}
    for p in problems:
        by_field.setdefault(p.column or "", p.message)
    if req is None and "starts_at" in by_field and by_field["starts_at"].endswith(" is in the past."):
        by_field["starts_at"] = _past_as_typed(values.get("starts_at", ""), actor.timezone) or by_field["starts_at"]
    if by_field:
        return None, None, by_field
    assert req is not None  # check_values gives a request whenever it finds no problem
    user = therapists[req.therapist_username]
    existing = s.scalar(
        select(Booking.id).join(Client, Client.id == Booking.client_id)
        .where(Booking.therapist_id == user.id, Client.email == req.client_email, Booking.starts_at == req.starts_at))
    if existing:
        return None, None, {"starts_at": f"Already booked: session #{existing} is this client with {user.name} "
                                         "at this time."}
    return req, user, {}
