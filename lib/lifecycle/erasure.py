"""Erasing a client: on a manager's request (with a reason, after a preview of what goes) or at the end of
the retention period (lib.lifecycle.retention).

One transaction: open sessions are cancelled first with the usual email, then the client's name and contact
details, attendees' names, the assessment, the sessions' notes and every message's text go. What the
response-time figures read stays — each session's therapist, type, times, status and response time — tied
to an anonymous "Erased client N", so past figures do not move. The audit trail records that an erasure
happened, by whom, why and how much went, with no personal data; its earlier entries stay as they are
(they never held any).

The cancellation emails must still reach the client, so they wait in the outbox with the address; the
worker blanks them as soon as they have left it (`finish_follow_ups`, every round).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import cast as typed

from sqlalchemy import CursorResult, String, and_, cast, delete, func, literal, select, true, update
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.bookings.answers import cancel_in
from lib.bookings.dashboard import STATUS_LABELS
from lib.core import clock
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput, NotFound
from lib.core.models import (
    Assessment,
    Attendee,
    Booking,
    BookingEvent,
    Client,
    ClientToken,
    ErasureFollowUp,
    Notification,
    Relationship,
    TeamTask,
    User,
)
from lib.core.vocabulary import AuditAction, MessageStatus

REASONS = {
    "client_request": "The client asked for their data to be erased",
    "consent_withdrawn": "The client withdrew consent and there is no other lawful basis",
    "no_longer_needed": "No longer needed for the purpose it was collected for",
    "retention": "The retention period ended",  # the worker's reason; managers choose one of the others
}
MANAGER_REASONS = {k: v for k, v in REASONS.items() if k != "retention"}
CANCEL_REASON = "The client's record was erased"
ERASED_ATTENDEE = "Erased"
CLIENT_NOT_FOUND = "We couldn't find that client. They may have been erased already."

WHAT_GOES = [
    "name, email address and phone number",
    "the names of everyone who attended their sessions",
    "the self-assessment: every answer, the topics chosen and what they wrote",
    "the text of every email and SMS about their sessions (the address too, once any cancellation email has gone)",
    "notes in the sessions' history (reasons given, presenting issues) and in the practice team's list",
    "their private links (they stop working)",
]
WHAT_STAYS = [
    "each session's therapist, type, date and time, status and response time, as an anonymous record, so the "
    "response-time figures for past periods stay the same",
    "the audit trail: who viewed or changed the record and when (it never held names or answers), and an entry "
    "saying this erasure happened, by whom and why",
]


def open_statuses_now(now: datetime):
    """Sessions still to come (asked for, offered or confirmed): these are cancelled before an erasure. A past
    one keeps its status, so the figures for its period do not move."""
    return and_(Booking.status.in_(("unconfirmed", "awaiting_client", "confirmed")), Booking.starts_at > now)


@dataclass(frozen=True)
class OpenSession:
    id: int
    starts_at: datetime
    therapist_name: str
    status: str


@dataclass(frozen=True)
class ErasurePreview:
    client_id: int
    name: str
    email: str
    sessions: int
    open_sessions: list[OpenSession]
    assessments: int
    messages: int
    what_goes: list[str]
    what_stays: list[str]

    @property
    def fingerprint(self) -> tuple[int, ...]:
        """What the manager saw would be cancelled: the erasure refuses to go ahead if that changed."""
        return tuple(sorted(o.id for o in self.open_sessions))


def live_client(s: Session, client_id, lock: bool = False) -> Client:
    try:
        client_id = int(client_id)
    except (TypeError, ValueError):
        raise NotFound(CLIENT_NOT_FOUND) from None
    stmt = select(Client).where(Client.id == client_id, Client.erased_at.is_(None))
    client = s.scalar(stmt.with_for_update() if lock else stmt)
    if client is None:
        raise NotFound(CLIENT_NOT_FOUND)
    return client


def _booking_ids(s: Session, client_id: int) -> list[int]:
    return list(s.scalars(select(Booking.id).where(Booking.client_id == client_id).order_by(Booking.id)))


def _open_sessions(s: Session, client_id: int, now: datetime) -> list[OpenSession]:
    rows = s.execute(select(Booking.id, Booking.starts_at, User.name, Booking.status)
                     .join(User, User.id == Booking.therapist_id)
                     .where(Booking.client_id == client_id, open_statuses_now(now)).order_by(Booking.starts_at))
    return [OpenSession(r.id, r.starts_at, r.name, STATUS_LABELS.get(r.status, r.status)) for r in rows]


def preview(actor: Actor, client_id) -> ErasurePreview:
    """What erasing this client would do, shown before anything happens."""
    require_manager(actor)
    with unit_of_work() as s:
        client = live_client(s, client_id)
        ids = _booking_ids(s, client.id)
        assessments = s.scalar(select(func.count()).select_from(Assessment).join(Relationship).where(
            Relationship.client_id == client.id)) or 0
        messages = s.scalar(select(func.count()).select_from(Notification).where(
            Notification.booking_id.in_(ids))) or 0 if ids else 0
        return ErasurePreview(client.id, client.name, client.email, len(ids), _open_sessions(s, client.id, clock.now()),
                              assessments, messages, WHAT_GOES, WHAT_STAYS)


@dataclass(frozen=True)
class Erased:
    client_id: int
    sessions_kept: int
    cancelled: int
    assessments: int
    messages: int


def erase(actor: Actor, client_id, reason: str, expected_open: tuple[int, ...],
          browser_session: str | None = None) -> Erased:
    """A manager erases one client, after the preview. `expected_open`: the preview's fingerprint."""
    require_manager(actor)
    if reason not in MANAGER_REASONS:
        raise InvalidInput("Please choose the reason for the erasure.", "reason")
    with unit_of_work(write=True) as s:
        client = live_client(s, client_id, lock=True)
        if tuple(sorted(o.id for o in _open_sessions(s, client.id, clock.now()))) != tuple(sorted(expected_open)):
            raise Conflict("This client's sessions changed since you looked. Please check the list of what will "
                           "be cancelled again before erasing.")
        return erase_in(s, client, actor.username, reason, browser_session)


def erase_in(s: Session, client: Client, by: str, reason: str, browser_session: str | None = None) -> Erased:
    """The erasure itself, inside the caller's transaction (a manager's request or the retention step)."""
    now = clock.now()
    ids = _booking_ids(s, client.id)
    bookings = list(s.scalars(select(Booking).where(Booking.client_id == client.id, open_statuses_now(now))
                              .with_for_update()))
    follow_ups = []
    for b in bookings:  # first, with the usual email: the client must hear their sessions are off
        if (email := cancel_in(s, b, by, CANCEL_REASON, refund=True)) is not None:
            follow_ups.append(email)
    s.flush()
    keep = [n.id for n in follow_ups]
    s.add_all(ErasureFollowUp(notification_id=i) for i in keep)

    client.name, client.email, client.phone = f"Erased client {client.id}", f"erased-{client.id}@erased.invalid", None
    client.erased_at = now
    s.execute(update(Attendee).where(Attendee.booking_id.in_(ids)).values(name=ERASED_ATTENDEE))
    assessments = typed(CursorResult[Any], s.execute(delete(Assessment).where(Assessment.relationship_id.in_(
        select(Relationship.id).where(Relationship.client_id == client.id))))).rowcount
    s.execute(update(BookingEvent).where(BookingEvent.booking_id.in_(ids), BookingEvent.detail.is_not(None))
              .values(detail=None))
    messages = _blank(s, and_(Notification.booking_id.in_(ids), Notification.id.not_in(keep) if keep else true()))
    s.execute(update(TeamTask).where(TeamTask.booking_id.in_(ids), TeamTask.closed_at.is_(None))
              .values(closed_at=now, closed_by=by, outcome="closed"))
    s.execute(update(TeamTask).where(TeamTask.booking_id.in_(ids)).values(note=None))
    s.execute(update(ClientToken).where(ClientToken.client_id == client.id).values(revoked=True))
    done = Erased(client.id, len(ids), len(bookings), assessments, messages + len(keep))
    trail.record(s, by, AuditAction.ERASE_CLIENT, client_id=client.id, browser_session=browser_session,
                 detail=(f"Reason: {REASONS[reason]}. {done.sessions_kept} sessions kept anonymised for the figures "
                         f"({done.cancelled} cancelled first); {done.assessments} assessment(s) and the text of "
                         f"{done.messages} message(s) erased."))
    return done


def _blank(s: Session, where) -> int:
    """Messages emptied of address and text; any not sent are withdrawn (never sent, never retried)."""
    s.execute(update(Notification).where(where, Notification.status != MessageStatus.SENT).values(status=MessageStatus.WITHDRAWN))
    return typed(CursorResult[Any], s.execute(update(Notification).where(where).values(
        recipient="(erased)", subject=None, body_text="", body_html=None, ics=None, last_error=None,
        dedupe_key=literal("erased:") + cast(Notification.id, String)))).rowcount


def finish_follow_ups() -> int:
    """Blank erased clients' cancellation emails once they have left the outbox (the worker, every round)."""
    with unit_of_work() as s:
        if s.scalar(select(ErasureFollowUp.notification_id).limit(1)) is None:
            return 0  # the usual case: nothing waits, no write transaction
    with unit_of_work(write=True) as s:
        gone = list(s.scalars(select(ErasureFollowUp.notification_id).join(
            Notification, Notification.id == ErasureFollowUp.notification_id).where(Notification.status != MessageStatus.PENDING)))
        if gone:
            _blank(s, Notification.id.in_(gone))
            s.execute(delete(ErasureFollowUp).where(ErasureFollowUp.notification_id.in_(gone)))
        return len(gone)
