"""New bookings arriving: one function that every channel (seed, import, manual entry) uses."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.bookings import alert_answers, away, sms_replies, worklist
from lib.bookings.answers import manager_emails
from lib.bookings.changes import facts_for
from lib.bookings.client_links import issue_assessment_link
from lib.core import clock, config
from lib.core.models import Attendee, Booking, BookingEvent, Client, Relationship, User
from lib.core.vocabulary import BookingStatus, EventKind
from lib.notify import outbox, templates
from lib.practice.rules import Rules
from lib.practice.signing import key_for_links


@dataclass
class NewBooking:
    """A validated booking request (see lib.imports.importer for the checks)."""

    therapist_username: str
    client_name: str
    client_email: str  # normalised
    client_phone: str | None  # E.164
    session_type: str
    attendees: list[str]
    starts_at: datetime  # naive UTC
    duration_minutes: int
    delivery: str
    video_service: str | None
    address: str | None
    requested_at: datetime  # naive UTC
    client_timezone: str = "Europe/London"
    join_details: str | None = None
    requested_by: str = "client"


@dataclass
class Created:
    booking: Booking
    client_created: bool
    messages: int


def find_or_create_client(s: Session, req: NewBooking) -> tuple[Client, bool]:
    client = s.scalar(select(Client).where(Client.email == req.client_email))
    if client:
        if req.client_phone and not client.phone:
            client.phone = req.client_phone
        return client, False
    client = Client(name=req.client_name, email=req.client_email, phone=req.client_phone,
                    timezone=req.client_timezone, created_at=clock.now())
    s.add(client)
    s.flush()
    return client, True


def find_or_create_relationship(s: Session, therapist: User, client: Client, at: datetime) -> Relationship:
    rel = s.scalar(select(Relationship).where(Relationship.therapist_id == therapist.id,
                                              Relationship.client_id == client.id))
    if rel is None:
        rel = Relationship(therapist_id=therapist.id, client_id=client.id, started_at=at)
        s.add(rel)
        s.flush()
    return rel


def create_booking(s: Session, rules: Rules, therapist: User, req: NewBooking, notify: bool = True) -> Created:
    client, client_created = find_or_create_client(s, req)
    rel = find_or_create_relationship(s, therapist, client, req.requested_at)
    booking = Booking(
        therapist_id=therapist.id, client_id=client.id, relationship_id=rel.id, session_type=req.session_type,
        starts_at=req.starts_at, duration_minutes=req.duration_minutes, delivery=req.delivery,
        video_service=req.video_service, join_details=req.join_details, address=req.address, status=BookingStatus.UNCONFIRMED,
        requested_at=req.requested_at, requested_by=req.requested_by,
        response_due_at=rules.response_due_at(req.requested_at, req.starts_at),
        expires_at=rules.expires_at(req.requested_at, req.starts_at),
        attendees=[Attendee(position=i, name=n) for i, n in enumerate(req.attendees)],
    )
    booking.therapist = therapist
    booking.client = client
    s.add(booking)
    s.flush()
    s.add(BookingEvent(booking_id=booking.id, kind=EventKind.REQUESTED, actor=req.requested_by, at=req.requested_at))
    if (leave := away.away_at(s, therapist.id, req.requested_at)) is not None:
        # Straight to the practice team; the therapist is not alerted, reminded or escalated about it.
        worklist.open_task(s, booking.id, worklist.Reason.THERAPIST_AWAY, clock.now())
        messages = notify_while_away(s, booking, leave) if notify else 0
    else:
        messages = notify_new_booking(s, booking) if notify else 0
    return Created(booking, client_created, messages)


def new_booking_messages(b, facts, assessment_link: str, key: str | None = None
                         ) -> list[tuple[str, str, str, templates.Rendered]]:
    """(cause, channel, recipient, message) for a new request: the client's self-assessment link,
    the therapist's email (with the one-tap private link), and a text if they opted in (with its reply
    code once their number is proved: lib.bookings.sms_replies). The bulk import uses this too, with the signing
    `key` it read once."""
    t = b.therapist
    link = config.session_url(b.id)
    key = key or key_for_links()
    out = [
        (f"received:{b.id}", "email", b.client.email, templates.booking_received_email(facts, assessment_link)),
        (f"new_booking:{b.id}", "email", t.email, templates.new_booking_email(
            facts, t.timezone, b.response_due_at, link, alert_answers.link_url(b, key))),
    ]
    if t.sms_opt_in and t.sms_phone:
        code = alert_answers.reply_code(b.id, t.id, key) if sms_replies.replies_on(t) else None
        out.append((f"new_booking:{b.id}", "sms", t.sms_phone, templates.new_booking_sms(
            facts, t.timezone, b.response_due_at, link, code)))
    return out


def notify_new_booking(s: Session, b: Booking) -> int:
    """Write the new-request messages (see new_booking_messages); returns how many."""
    messages = new_booking_messages(b, facts_for(b), issue_assessment_link(s, b), key_for_links(s))
    return sum(1 for cause, channel, recipient, message in messages
               if outbox.enqueue(s, cause=cause, channel=channel, recipient=recipient, message=message,
                                 booking_id=b.id))


def notify_while_away(s: Session, b: Booking, leave: away.Away) -> int:
    """A request for a therapist who is away: the client is told the practice team has it (and gets the
    self-assessment link); the managers are emailed; the therapist is not alerted."""
    facts = facts_for(b)
    n = 1 if outbox.enqueue(s, cause=f"received:{b.id}", channel="email", recipient=b.client.email, booking_id=b.id,
                            message=templates.received_while_away_email(facts, issue_assessment_link(s, b),
                                                                        leave.ends_at)) else 0
    return n + outbox.enqueue_each(s, cause=f"therapist_away:{b.id}", recipients=manager_emails(s), booking_id=b.id,
                                   message=templates.therapist_away_manager_email(facts, leave.ends_at,
                                                                                  config.session_url(b.id)))
