"""The session page's read: everything one session shows, in one query, if this user may see it.

A therapist sees only their own sessions, a manager all; "not yours" and "doesn't exist" give the same
NotFound. The first view in a browser session also records who opened it (the audit trail and the
history's "first opened"); later views only read (on the lookup pool: lib.core.db.lookup).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from lib.audit import trail
from lib.bookings import assessments, availability
from lib.bookings.dashboard import OPEN_STATUSES, STATUS_LABELS
from lib.core import clock, db
from lib.core.access import Actor, require_actor
from lib.core.db import unit_of_work
from lib.core.errors import NotFound
from lib.core.json_lists import json_list, rows, timestamp
from lib.core.models import (
    Assessment,
    Attendee,
    Booking,
    BookingEvent,
    Client,
    Notification,
    Relationship,
    TimeOffer,
    User,
)
from lib.core.vocabulary import AuditAction, BookingStatus, EventKind
from lib.notify.outbox_review import MessageRow

Earlier = aliased(Booking)  # the same relationship's other sessions


@dataclass(frozen=True)
class Event:
    kind: str
    actor: str
    at: datetime
    detail: dict | None


@dataclass(frozen=True)
class BookingDetail:
    id: int
    version: int
    status: str
    session_type: str
    attendees: list[str]
    starts_at: datetime
    duration_minutes: int
    delivery: str
    video_service: str | None
    join_details: str | None
    address: str | None
    requested_at: datetime
    requested_by: str
    response_due_at: datetime
    expires_at: datetime | None
    therapist_id: int
    therapist_name: str
    client_id: int
    client_name: str
    client_email: str
    client_phone: str | None
    client_tz: str
    relationship_since: datetime
    sessions_together: int
    assessment: assessments.AssessmentView
    availability: availability.Availability
    history: list[Event]
    messages: list[MessageRow]
    reassigned_from_id: int | None
    open_offers: list[datetime]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


_OPEN_OFFERS = select(TimeOffer.starts_at).where(
    TimeOffer.booking_id == bindparam("bid"), TimeOffer.open.is_(True)).order_by(TimeOffer.starts_at)


# The columns the session page shows, read as plain rows (no ORM objects: building them was half of the
# page's database time). Labels keep the therapist's and the client's names apart.
_DETAIL_COLUMNS = (
    Booking.id, Booking.version, Booking.status, Booking.session_type, Booking.starts_at, Booking.duration_minutes,
    Booking.delivery, Booking.video_service, Booking.join_details, Booking.address, Booking.requested_at,
    Booking.requested_by, Booking.response_due_at, Booking.expires_at, Booking.therapist_id, Booking.client_id,
    Booking.reassigned_from_id,
    User.name.label("therapist_name"), User.timezone.label("therapist_tz"), User.working_hours,
    Client.name.label("client_name"), Client.email.label("client_email"), Client.phone.label("client_phone"),
    Client.timezone.label("client_tz"), Relationship.started_at.label("relationship_since"),
    Assessment.id.label("assessment_id"), Assessment.phq9, Assessment.gad7, Assessment.help_with,
    Assessment.free_text, Assessment.updated_at,
)
# The session page's lists: only the columns it shows (an outbox row also carries the whole message).
_EVENT_COLUMNS = [BookingEvent.kind, BookingEvent.actor, BookingEvent.at, BookingEvent.detail]
_MESSAGE_COLUMNS = [Notification.id, Notification.channel, Notification.template, Notification.recipient,
                    Notification.subject, Notification.status, Notification.attempts, Notification.last_error,
                    Notification.created_at, Notification.next_attempt_at, Notification.sent_at,
                    Notification.booking_id]  # as lib.notify.outbox_review.MessageRow, which the outbox shows too


@lru_cache(maxsize=4)
def _detail_statement(own_only: bool, dialect: str):
    """The booking with its therapist, client, relationship, assessment and count of sessions together, and
    its attendees, history, messages and the therapist's sessions near its time (the availability check) as
    JSON lists: the session page's one round trip. Built once per shape, with bound parameters: building
    it costs more than running it."""
    bid: BindParameter[int] = bindparam("bid")
    together = select(func.count()).select_from(Earlier).where(
        Earlier.relationship_id == Booking.relationship_id, Earlier.status == db.fixed("confirmed"),
        Earlier.id != Booking.id).scalar_subquery()
    attendees = json_list([Attendee.name], [Attendee.booking_id == bid], [Attendee.position, Attendee.id], dialect)
    history = json_list(_EVENT_COLUMNS, [BookingEvent.booking_id == bid], [BookingEvent.at, BookingEvent.id], dialect,
                        json_columns=(BookingEvent.detail,))
    messages = json_list(_MESSAGE_COLUMNS, [Notification.booking_id == bid],
                         [Notification.created_at, Notification.id], dialect)
    near_confirmed, near_offered = availability.near_list(dialect)
    stmt = (select(*_DETAIL_COLUMNS, together.label("together"), attendees.label("attendees"),
                   history.label("history"), messages.label("messages"), near_confirmed.label("near_confirmed"),
                   near_offered.label("near_offered"), availability.busy_list(dialect).label("near_busy"))
            .join(User, User.id == Booking.therapist_id).join(Client, Client.id == Booking.client_id)
            .join(Relationship, Relationship.id == Booking.relationship_id)
            .outerjoin(Assessment, Assessment.relationship_id == Booking.relationship_id)
            .where(Booking.id == bid))
    return stmt.where(Booking.therapist_id == bindparam("me")) if own_only else stmt


@dataclass(frozen=True)
class _Therapist:
    """What the availability check needs of the therapist."""
    id: int
    timezone: str
    working_hours: dict | None


def get_for(actor: Actor, booking_id, browser_session: str | None = None, record_view: bool = False) -> BookingDetail:
    """Everything the session page shows, if this user may see it."""
    actor = require_actor(actor)
    try:
        booking_id = int(booking_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not record_view:  # the page's later views only read
        found = db.lookup(_detail_statement(not actor.is_manager, db.engine().dialect.name),
                          {"bid": booking_id, "me": actor.id})
        return _read_detail(found[0] if found else None)
    # The first view in a browser session also writes: the audit entry and "first opened".
    with unit_of_work(write=True) as s:
        conn = s.connection()
        row = conn.execute(_detail_statement(not actor.is_manager, conn.dialect.name),
                           {"bid": booking_id, "me": actor.id}).first()
        detail = _read_detail(row, conn)
        trail.record(s, actor.username, AuditAction.VIEW_SESSION, booking_id=detail.id, client_id=detail.client_id,
                     browser_session=browser_session)
        if actor.id == detail.therapist_id and not any(e.kind == EventKind.VIEWED for e in detail.history):
            s.add(BookingEvent(booking_id=detail.id, kind=EventKind.VIEWED, actor=actor.username, at=clock.now()))
        return detail


def _read_detail(b, conn: Connection | None = None) -> BookingDetail:
    """The page's view of a row of _detail_statement (None: not found, or not this user's)."""
    if b is None:
        raise NotFound()
    return BookingDetail(
        id=b.id, version=b.version, status=b.status, session_type=b.session_type,
        attendees=[name for (name,) in rows(b.attendees)], starts_at=b.starts_at,
        duration_minutes=b.duration_minutes,
        delivery=b.delivery, video_service=b.video_service, join_details=b.join_details, address=b.address,
        requested_at=b.requested_at, requested_by=b.requested_by, response_due_at=b.response_due_at,
        expires_at=b.expires_at, therapist_id=b.therapist_id, therapist_name=b.therapist_name,
        client_id=b.client_id, client_name=b.client_name, client_email=b.client_email,
        client_phone=b.client_phone, client_tz=b.client_tz, relationship_since=b.relationship_since,
        sessions_together=b.together or 0,
        assessment=assessments.view(b if b.assessment_id is not None else None),
        availability=availability.from_near(
            _Therapist(b.therapist_id, b.therapist_tz, b.working_hours), b.starts_at, b.duration_minutes,
            availability.near_rows(b.near_confirmed, b.near_offered, b.near_busy), ignore_booking_id=b.id),
        history=[Event(kind, who, timestamp(at), detail)  # type: ignore[arg-type]  # `at` is NOT NULL
                 for kind, who, at, detail in rows(b.history)],
        messages=[MessageRow(*m[:8], timestamp(m[8]), timestamp(m[9]), timestamp(m[10]),  # type: ignore[call-arg]
                             m[11])
                  for m in rows(b.messages)],
        reassigned_from_id=b.reassigned_from_id,
        open_offers=_open_offers(b.id, conn) if b.status == BookingStatus.AWAITING_CLIENT else [],
    )


def _open_offers(booking_id: int, conn: Connection | None) -> list[datetime]:
    if conn is not None:
        return list(conn.scalars(_OPEN_OFFERS, {"bid": booking_id}))
    return [at for (at,) in db.lookup(_OPEN_OFFERS, {"bid": booking_id})]
