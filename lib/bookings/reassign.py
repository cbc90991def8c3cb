"""A manager gives a declined (or stuck) request to another therapist: a new linked session."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from lib.audit import trail
from lib.bookings import worklist
from lib.bookings.changes import load
from lib.bookings.intake import NewBooking, create_booking
from lib.core import clock
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import BookingEvent, User
from lib.core.vocabulary import AuditAction, BookingStatus, EventKind
from lib.practice.rules import Rules

REASSIGNABLE = ("declined", "expired", "cancelled", "unconfirmed")


def reassign(actor: Actor, booking_id, new_therapist_id: int, new_start: datetime | None = None,
             browser_session: str | None = None) -> int:
    """Returns the new session's id. The old one keeps its history and points to nothing new;
    the new one records where it came from."""
    actor = require_manager(actor)
    with unit_of_work(write=True) as s:
        old = load(s, actor, booking_id, lock=True)
        if old.status not in REASSIGNABLE:
            raise Conflict(f"A {old.status.replace('_', ' ')} session can't be reassigned; cancel it first.")
        therapist = s.scalar(select(User).where(User.id == new_therapist_id, User.role == "therapist",
                                                User.active.is_(True)))
        if therapist is None:
            raise InvalidInput("Please choose a therapist.", "therapist")
        if therapist.id == old.therapist_id:
            raise InvalidInput("That is the same therapist; choose another one.", "therapist")
        starts_at = clock.to_utc_naive(new_start) if new_start else old.starts_at
        if starts_at <= clock.now():
            raise InvalidInput("That time has passed; please choose a new time.", "starts_at")
        now, rules = clock.now(), Rules.load(s)
        req = NewBooking(
            therapist_username=therapist.username, client_name=old.client.name, client_email=old.client.email,
            client_phone=old.client.phone, session_type=old.session_type,
            attendees=[a.name for a in old.attendees], starts_at=starts_at, duration_minutes=old.duration_minutes,
            delivery=old.delivery, video_service=old.video_service, address=old.address if old.delivery ==
            "in_person" else None, requested_at=now, client_timezone=old.client.timezone,
            join_details=old.join_details, requested_by=actor.username,
        )
        if old.status == BookingStatus.UNCONFIRMED:
            old.status = BookingStatus.CANCELLED
        s.add(BookingEvent(booking_id=old.id, kind=EventKind.REASSIGNED, actor=actor.username, at=now,
                           detail={"to_therapist": therapist.name}))
        worklist.close_for_booking(s, old.id, actor.username, worklist.Outcome.REASSIGNED,
                                        f"Reassigned to {therapist.name}", now)
        created = create_booking(s, rules, therapist, req)
        new = created.booking
        new.reassigned_from_id = old.id
        s.add(BookingEvent(booking_id=new.id, kind=EventKind.REASSIGNED, actor=actor.username, at=now,
                           detail={"from_session": old.id, "from_therapist": old.therapist.name}))
        trail.record(s, actor.username, AuditAction.REASSIGN, booking_id=old.id, client_id=old.client_id,
                     browser_session=browser_session, detail=f"new session {new.id}")
        return new.id
