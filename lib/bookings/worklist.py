"""The practice team's worklist: every request that needs a person from the team, and why.

A line is opened in the same transaction as its cause (a decline, an expiry, a client's "none of these fit",
a late cancellation, a message that failed for good). It leaves the list only when someone closes it with an
outcome that the session's history records: nothing leaves by itself, so no client is forgotten.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.bookings import assessments
from lib.core import clock
from lib.core.access import Actor, require_actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput, NotFound
from lib.core.models import Assessment, Attendee, AwayPeriod, Booking, BookingEvent, Notification, TeamTask, User
from lib.core.vocabulary import CLOSED_STATUSES, MessageStatus

MAX_NOTE = 2000
RECENTLY = timedelta(days=14)


class Reason(StrEnum):
    DECLINED = "declined"
    EXPIRED = "expired"
    OFFER_LAPSED = "offer_lapsed"
    NONE_FITS = "none_fits"
    LATE_CANCEL = "late_cancel"
    MESSAGE_FAILED = "message_failed"
    THERAPIST_DEACTIVATED = "therapist_deactivated"
    CLIENT_CANCELLED_LATE = "client_cancelled_late"
    THERAPIST_AWAY = "therapist_away"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    Reason.DECLINED: "Declined as not the best fit: find another therapist",
    Reason.EXPIRED: "Expired unanswered: contact the client",
    Reason.OFFER_LAPSED: "The client didn't pick an offered time in time",
    Reason.NONE_FITS: "None of the offered times fit the client",
    Reason.LATE_CANCEL: "Cancelled by the practice inside 48 hours: check the refund",
    Reason.MESSAGE_FAILED: "A message to the client failed for good",
    Reason.THERAPIST_DEACTIVATED: "The therapist was deactivated: reassign the request",
    Reason.CLIENT_CANCELLED_LATE: "The client cancelled inside 48 hours: decide about the refund",
    Reason.THERAPIST_AWAY: "Therapist away: contact the client or reassign",
}


class Outcome(StrEnum):
    REASSIGNED = "reassigned"
    CONTACTED = "contacted"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"reassigned": "Reassigned", "contacted": "Contacted the client", "closed": "Closed"}[self]


def open_task(s: Session, booking_id: int, reason: Reason, at: datetime, notification_id: int | None = None) -> None:
    """Put a request in front of the team (once per request and reason while it is open)."""
    already = s.scalar(select(TeamTask.id).where(TeamTask.booking_id == booking_id, TeamTask.reason == reason,
                                                 TeamTask.closed_at.is_(None)))
    if already is None:
        s.add(TeamTask(booking_id=booking_id, reason=reason, opened_at=at, notification_id=notification_id))


def close_for_booking(s: Session, booking_id: int, username: str, outcome: Outcome, note: str, at: datetime) -> int:
    """Close every open line of a request (reassigning it answers all of them); returns how many."""
    tasks = s.scalars(select(TeamTask).where(TeamTask.booking_id == booking_id, TeamTask.closed_at.is_(None))).all()
    for t in tasks:
        t.closed_at, t.closed_by, t.outcome, t.note = at, username, outcome, note
    return len(tasks)


def open_for_failed_messages(s: Session, notification_ids: list[int]) -> None:
    """Messages that failed for good go on the practice team's worklist, in the transaction that gave up."""
    c = Notification.__table__.c
    for row_id, booking_id in s.execute(select(c.id, c.booking_id).where(
            c.id.in_(notification_ids), c.status == MessageStatus.FAILED, c.booking_id.is_not(None))):
        open_task(s, booking_id, Reason.MESSAGE_FAILED, clock.now(), row_id)


@dataclass(frozen=True)
class WorkItem:
    task_id: int
    booking_id: int
    reason: Reason
    since: datetime
    therapist: str
    attendees: list[str]
    session_type: str
    starts_at: datetime
    status: str
    phq9_band: str | None  # severity band only: the list never shows answers
    gad7_band: str | None
    risk: bool
    away_until: datetime | None = None  # Reason.THERAPIST_AWAY: when the therapist is back (lib.bookings.away)


SHOWN = 200  # lines listed at once; `waiting` counts them all


def worklist(actor: Actor, limit: int | None = None) -> list[WorkItem]:
    """Open lines, oldest first, at most `limit` (SHOWN) of them (managers only)."""
    require_manager(actor)
    limit = SHOWN if limit is None else limit
    with unit_of_work() as s:
        found = s.execute(
            select(TeamTask.id, TeamTask.booking_id, TeamTask.reason, TeamTask.opened_at, User.name,
                   Booking.session_type, Booking.starts_at, Booking.status, Assessment.phq9, Assessment.gad7)
            .join(Booking, Booking.id == TeamTask.booking_id).join(User, User.id == Booking.therapist_id)
            .outerjoin(Assessment, Assessment.relationship_id == Booking.relationship_id)
            .where(TeamTask.closed_at.is_(None)).order_by(TeamTask.opened_at, TeamTask.id).limit(limit)).all()
        names = _attendees(s, [r.booking_id for r in found])
        back = _away_until(s, [r.booking_id for r in found if r.reason == Reason.THERAPIST_AWAY])
    return [WorkItem(r.id, r.booking_id, Reason(r.reason), r.opened_at, r.name, names.get(r.booking_id, []),
                     r.session_type, r.starts_at, r.status, assessments.phq9_score(r.phq9).severity,
                     assessments.gad7_score(r.gad7).severity, assessments.risk_flag(r.phq9), back.get(r.booking_id))
            for r in found]


def _away_until(s: Session, booking_ids: list[int]) -> dict[int, datetime]:
    """When each request's therapist is back from the away period it arrived in."""
    if not booking_ids:
        return {}
    rows = s.execute(select(Booking.id, func.max(AwayPeriod.ends_at)).join(
        AwayPeriod, (AwayPeriod.therapist_id == Booking.therapist_id) & (AwayPeriod.starts_at <= Booking.requested_at)
        & (AwayPeriod.ends_at > Booking.requested_at)).where(Booking.id.in_(booking_ids)).group_by(Booking.id))
    return {bid: until for bid, until in rows}


def _attendees(s: Session, booking_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if booking_ids:
        for bid, name in s.execute(select(Attendee.booking_id, Attendee.name).where(
                Attendee.booking_id.in_(booking_ids)).order_by(Attendee.booking_id, Attendee.position)):
            out.setdefault(bid, []).append(name)
    return out


@dataclass(frozen=True)
class Waiting:
    count: int
    oldest_since: datetime | None


def waiting(actor: Actor) -> Waiting:
    """How many lines wait for the team, and since when the oldest has (managers; a therapist sees none)."""
    actor = require_actor(actor)
    if not actor.is_manager:
        return Waiting(0, None)
    with unit_of_work() as s:
        count, oldest = s.execute(select(func.count(), func.min(TeamTask.opened_at))
                                  .where(TeamTask.closed_at.is_(None))).one()
    return Waiting(int(count), oldest)


def open_for_booking(actor: Actor, booking_id: int) -> list[tuple[int, Reason, datetime]]:
    """The open lines of one request, for its session page (managers only; others get none)."""
    actor = require_actor(actor)
    if not actor.is_manager:
        return []
    with unit_of_work() as s:
        return [(tid, Reason(reason), at) for tid, reason, at in s.execute(
            select(TeamTask.id, TeamTask.reason, TeamTask.opened_at).where(
                TeamTask.booking_id == booking_id, TeamTask.closed_at.is_(None)).order_by(TeamTask.opened_at))]


def _note(value: str | None, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Please write {label}.", "note")
    if len(value) > MAX_NOTE:
        raise InvalidInput(f"Please keep {label} under {MAX_NOTE} characters.", "note")
    return value


def _finish(actor: Actor, booking_id, outcome: Outcome, note: str, kind: str, browser_session: str | None) -> None:
    """Close every open line of one request with an outcome, in its history and the audit trail."""
    actor = require_manager(actor)
    try:
        booking_id = int(booking_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    with unit_of_work(write=True) as s:
        b = s.scalar(select(Booking).where(Booking.id == booking_id).with_for_update())
        if b is None:
            raise NotFound()
        lines = s.scalars(select(TeamTask).where(TeamTask.booking_id == b.id, TeamTask.closed_at.is_(None))).all()
        if not lines:
            raise Conflict("Someone on the team has already dealt with this. Please reload.")
        now = clock.now()
        close_for_booking(s, b.id, actor.username, outcome, note, now)
        s.add(BookingEvent(booking_id=b.id, kind=kind, actor=actor.username, at=now,
                           detail={"why": "; ".join(Reason(t.reason).label for t in lines), "note": note}))
        trail.record(s, actor.username, kind, booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)


def record_contact(actor: Actor, booking_id, note: str, browser_session: str | None = None) -> None:
    """'Contacted the client': the request leaves the list with what was agreed, in the session's history."""
    _finish(actor, booking_id, Outcome.CONTACTED, _note(note, "what you and the client agreed"), "team_contacted",
            browser_session)


def close(actor: Actor, booking_id, reason: str, browser_session: str | None = None) -> None:
    """Close with a reason (for example: the client found help elsewhere)."""
    _finish(actor, booking_id, Outcome.CLOSED, _note(reason, "why this is closed"), "team_closed", browser_session)


@dataclass(frozen=True)
class ClosedItem:
    booking_id: int
    status: str
    attendees: list[str]
    session_type: str
    starts_at: datetime
    closed_at: datetime




def recently_closed(actor: Actor, within: timedelta = RECENTLY, limit: int = 10) -> list[ClosedItem]:
    """A therapist's own requests that were declined, expired or cancelled lately, newest first, so they
    know what happened to them."""
    actor = require_actor(actor)
    since = clock.now() - within
    with unit_of_work() as s:
        last = (select(BookingEvent.booking_id, func.max(BookingEvent.at).label("at"))
                .join(Booking, Booking.id == BookingEvent.booking_id)
                .where(Booking.therapist_id == actor.id, Booking.status.in_(CLOSED_STATUSES),
                       BookingEvent.kind.in_(CLOSED_STATUSES), BookingEvent.at >= since)
                .group_by(BookingEvent.booking_id).subquery())
        found = s.execute(select(Booking.id, Booking.status, Booking.session_type, Booking.starts_at, last.c.at)
                          .join(last, last.c.booking_id == Booking.id)
                          .order_by(last.c.at.desc(), Booking.id.desc()).limit(limit)).all()
        names = _attendees(s, [r.id for r in found])
    return [ClosedItem(r.id, r.status, names.get(r.id, []), r.session_type, r.starts_at, r.at) for r in found]
