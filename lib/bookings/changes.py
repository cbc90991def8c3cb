"""Changing a session: loading it for the acting user (access, the version they saw, the statuses the change
allows), the clash rule, the facts its messages carry, and the first answer's response time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from lib.bookings import availability, session_links
from lib.core import clock
from lib.core.access import Actor
from lib.core.errors import Conflict, InvalidInput, NotFound
from lib.core.models import Booking, User
from lib.core.vocabulary import BookingStatus
from lib.notify import templates
from lib.practice.business_hours import business_seconds_between
from lib.practice.rules import Rules


def load(s: Session, actor: Actor, booking_id, lock: bool = False) -> Booking:
    try:
        booking_id = int(booking_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    stmt = select(Booking).where(Booking.id == booking_id)
    if not actor.is_manager:  # another therapist's session is "not found", exactly like one that does not exist
        stmt = stmt.where(Booking.therapist_id == actor.id)
    if lock:
        stmt = stmt.with_for_update()
    booking = s.scalar(stmt)
    if booking is None:
        raise NotFound()
    return booking


def facts_for(b: Booking) -> templates.SessionFacts:
    t = b.therapist
    return templates.SessionFacts(
        booking_id=b.id, version=b.version, session_type=b.session_type, attendees=[a.name for a in b.attendees],
        starts_at=b.starts_at, duration_minutes=b.duration_minutes, delivery=b.delivery,
        video_service=b.video_service, join_details=b.join_details, address=b.address,
        therapist_name=t.name, therapist_email=t.email, therapist_phone=t.phone,
        client_name=b.client.name, client_email=b.client.email, client_tz=b.client.timezone,
        # The client's private session page goes in every email to them about the session (lib.bookings.session_links);
        # the bulk import's stand-ins for new requests need none (the first email carries no such link).
        extra={"my_session": session_links.url_for(b.id, b.client_id, b.starts_at, object_session(b))}
        if isinstance(b, Booking) else {},
    )


def record_first_response(b: Booking, rules: Rules, at: datetime) -> None:
    """Store the response time once, at the first answer, so metrics never recompute it."""
    if b.first_response_at is None:
        b.first_response_at = at
        b.response_business_seconds = business_seconds_between(b.requested_at, at, rules.calendar)


def record_wait_until_expiry(b: Booking, rules: Rules) -> None:
    """A request that expires unanswered keeps how long it waited (business seconds, request to expiry), as an
    answer keeps its response time: the figures read it instead of working it out again on every view."""
    if b.first_response_at is None and b.expires_at is not None:
        b.response_business_seconds = business_seconds_between(b.requested_at, b.expires_at, rules.calendar)


def load_for_change(s: Session, actor: Actor, booking_id, expected_version: int, allowed: tuple[str, ...],
                    verb: str) -> Booking:
    """Lock a booking for a change: visible to this user, unchanged since they looked, in an allowed state."""
    b = load(s, actor, booking_id, lock=True)
    if b.version != expected_version:
        raise Conflict()
    if b.status not in allowed:
        raise Conflict(f"This session is already {BookingStatus.labels().get(b.status, b.status).lower()} "
                       f"and can't be {verb}. Please reload.")
    return b


def require_free(s: Session, b: Booking, starts_at: datetime, viewer_tz: str, ignore_ids: tuple = (),
                 viewer_id: int | None = None) -> None:
    """Raise a clear error if the therapist is busy then (confirmed sessions, open offers and busy times in
    their own calendar). `viewer_id`: who acts, so the therapist reads "your calendar"."""
    # Serialise clash checks per therapist (PostgreSQL row lock; SQLite has one writer anyway).
    s.execute(select(User.id).where(User.id == b.therapist_id).with_for_update())
    avail = availability.check(s, b.therapist, starts_at, b.duration_minutes, ignore_booking_id=b.id)
    clashes = [c for c in avail.clashes if c.booking_id not in ignore_ids]
    if clashes:
        c = clashes[0]
        if c.outside:  # an event in the therapist's own calendar: its title is never stored nor shown
            whose = "your" if viewer_id == b.therapist_id else "the therapist's"
            raise InvalidInput(
                f"{clock.fmt_local(starts_at, viewer_tz)} is busy in {whose} calendar "
                f"({clock.fmt_local(c.starts_at, viewer_tz)} for {c.duration_minutes} min). Choose another time, "
                "or free that time in the calendar and read it again in Settings.")
        raise InvalidInput(
            f"{clock.fmt_local(starts_at, viewer_tz)} clashes with another {c.what} "
            f"({clock.fmt_local(c.starts_at, viewer_tz)}). Choose another time or resolve the clash first.")
