"""When plans change on the client's side: through their private session link (lib.bookings.session_links) a client
sees their session and the 48-hour policy as it applies now, cancels it, or asks for another time; the
therapist answers a request for another time (an agreed time and offered times live in lib.bookings.answers; saying
no lives here).

Opening the link changes nothing. Each action is one transaction with its history event, outbox messages and
audit entry (the actor is "client"). A tampered link learns nothing; a genuine one is told what became of its
session.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.bookings import change_requests, session_links, tokens, worklist
from lib.bookings.answers import MAX_TEXT, is_short_notice
from lib.bookings.changes import facts_for, load, load_for_change
from lib.bookings.tokens import BadToken
from lib.core import clock, config
from lib.core.access import Actor, require_actor
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import Attendee, Booking, BookingEvent, ClientChangeRequest, TimeOffer, User
from lib.core.vocabulary import AuditAction, BookingStatus, EventKind
from lib.notify import outbox, templates

MAX_REASON = 1000
MAX_PREFERRED = 3
EARLIEST_PREFERRED = timedelta(hours=2)  # a preferred time must leave the therapist time to answer
CLIENT = "client"
ACTIVE = ("unconfirmed", "confirmed", "awaiting_client")

POLICY = ("If you cancel more than 48 hours before your session, you get a full refund. "
          "If you cancel with less notice, the practice decides about a refund.")
POLICY_NOW_FULL = "Your session is more than 48 hours away: if you cancel now, you get a full refund."
POLICY_NOW_LATE = ("Your session is less than 48 hours away: if you cancel now, the practice decides about a refund "
                   "and will contact you about it.")


class LinkOutOfDate(BadToken):
    message = ("This link is from an earlier email about a session whose time has changed. Please use the link in "
               "our latest email about your session. If anything is unclear, just reply to it.")


def policy_now(starts_at: datetime) -> str:
    """The 48-hour policy line that applies at this moment, in plain words."""
    return POLICY_NOW_LATE if is_short_notice(starts_at) else POLICY_NOW_FULL


@dataclass(frozen=True)
class TimeRequest:
    preferred: list[datetime]
    note: str
    asked_at: datetime


@dataclass(frozen=True)
class MySession:
    """What the client's page shows. `state`: 'booked' (confirmed, ahead), 'requested' (not confirmed yet),
    'started', 'cancelled', 'closed' (declined or expired: not going ahead)."""
    state: str
    version: int
    first_name: str
    therapist_name: str
    type_label: str
    starts_at: datetime
    duration_minutes: int
    client_tz: str
    location: str
    attendees: list[str]
    policy_now: str
    late: bool
    request: TimeRequest | None  # the client's open request for another time
    offers_link: bool  # other times were offered: see the email with the link to choose

    @property
    def can_cancel(self) -> bool:
        return self.state in ("booked", "requested")

    @property
    def can_ask(self) -> bool:
        return self.state == "booked" and self.request is None and not self.offers_link


def _booking_for(s: Session, token: str | None, lock: bool = False) -> Booking:
    grant = session_links.check(token, s)
    stmt = select(Booking).where(Booking.id == grant.booking_id, Booking.client_id == grant.client_id)
    b = s.scalar(stmt.with_for_update() if lock else stmt)
    if b is None:
        raise BadToken()
    # After the session started the page says so; a link issued for an earlier time of a moved session is
    # out of date (newer emails carry the current link).
    if grant.expired and b.starts_at > clock.now():
        raise LinkOutOfDate()
    return b


def _state(b: Booking) -> str:
    if b.status == BookingStatus.CANCELLED:
        return "cancelled"
    if b.starts_at <= clock.now():
        return "started"
    if b.status in ("declined", "expired"):
        return "closed"
    return "booked" if b.status == BookingStatus.CONFIRMED else "requested"


def _request_view(req: ClientChangeRequest | None) -> TimeRequest | None:
    if req is None:
        return None
    return TimeRequest([datetime.fromisoformat(t) for t in req.preferred], req.note or "", req.asked_at)


def my_session(token: str | None) -> MySession:
    """The client's session as it is now. Reading only: opening the link changes nothing."""
    with unit_of_work() as s:
        b = _booking_for(s, token)
        f = facts_for(b)
        offers = s.scalar(select(func.count()).select_from(TimeOffer).where(
            TimeOffer.booking_id == b.id, TimeOffer.open.is_(True), TimeOffer.starts_at > clock.now()))
        return MySession(_state(b), b.version, f.client_first_name, f.therapist_name, f.type_label, b.starts_at,
                         b.duration_minutes, b.client.timezone, f.location, f.attendees, policy_now(b.starts_at),
                         is_short_notice(b.starts_at), _request_view(change_requests.open_request(s, b.id)),
                         bool(offers))


def _changeable(s: Session, token: str | None, expected_version: int) -> Booking:
    """The client's session, locked, if it can still be changed, else a kind explanation."""
    b = _booking_for(s, token, lock=True)
    state = _state(b)
    if state == "cancelled":
        raise Conflict("This session is already cancelled. Nothing more has changed.")
    if state == "started":
        raise Conflict("This session has already started, so it can't be changed here. If you need help, please "
                       "reply to our email.")
    if state == "closed":
        raise Conflict("This session is not going ahead, so there is nothing to change. The practice team will "
                       "be in touch; you can also reply to our email.")
    if b.version != expected_version:
        raise Conflict("Your session changed while this page was open. Please look at the details again below "
                       "before you decide.")
    return b


def _end_offers(s: Session, b: Booking) -> None:
    for offer in s.scalars(select(TimeOffer).where(TimeOffer.booking_id == b.id, TimeOffer.open.is_(True))):
        offer.open = False
    tokens.revoke_for_booking(s, b.id, "respond")


def cancel(token: str | None, expected_version: int, reason: str = "") -> bool:
    """The client cancels. One email to them, one to the therapist; a late cancellation goes on the practice
    team's worklist for the refund decision. Returns whether it was late (less than 48 hours' notice)."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Please keep the reason under {MAX_REASON} characters.", "reason")
    with unit_of_work(write=True) as s:
        b = _changeable(s, token, expected_version)
        now, late = clock.now(), is_short_notice(b.starts_at)
        _end_offers(s, b)
        change_requests.settle(s, b.id, "cancelled", CLIENT, now)
        b.status = BookingStatus.CANCELLED
        if late:
            worklist.open_task(s, b.id, worklist.Reason.CLIENT_CANCELLED_LATE, now)
        s.add(BookingEvent(booking_id=b.id, kind=EventKind.CANCELLED, actor=CLIENT, at=now,
                           detail={"reason": reason, "short_notice": late, "by_client": True}))
        s.flush()
        facts, t = facts_for(b), b.therapist
        outbox.enqueue(s, cause=f"client_cancelled:{b.id}", channel="email", recipient=b.client.email,
                       booking_id=b.id, message=templates.client_cancelled_email(facts, late))
        outbox.enqueue(s, cause=f"client_cancelled:{b.id}", channel="email", recipient=t.email, booking_id=b.id,
                       message=templates.cancelled_by_client_email(facts, t.timezone, late,
                                                                   config.session_url(b.id)))
        trail.record(s, CLIENT, AuditAction.CLIENT_CANCEL, booking_id=b.id, client_id=b.client_id,
                     detail="less than 48 hours' notice" if late else "more than 48 hours' notice")
        return late


def _preferred(times: list[datetime | None], tz: str) -> list[datetime]:
    out = sorted({clock.to_utc_naive(t) for t in times if t is not None})
    if len(out) > MAX_PREFERRED:
        raise InvalidInput(f"Please give at most {MAX_PREFERRED} preferred times.", "times")
    for t in out:
        if t < clock.now() + EARLIEST_PREFERRED:
            raise InvalidInput(f"{clock.fmt_local(t, tz)} is in the past or very soon. Please choose a later time, "
                               "or write a note instead.", "times")
    return out


def ask_for_another_time(token: str | None, expected_version: int, times: list[datetime | None],
                         note: str = "") -> None:
    """Up to three preferred times, or a note (or both). The session stays booked at its time until the
    therapist answers; the therapist is emailed and sees it on the session page and the dashboard."""
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise InvalidInput(f"Please keep the note under {MAX_TEXT} characters.", "note")
    with unit_of_work(write=True) as s:
        b = _changeable(s, token, expected_version)
        if b.status != BookingStatus.CONFIRMED:
            raise Conflict("Your session isn't confirmed yet, so there is no time to move. Your therapist will "
                           "answer your request; you can also reply to our email.")
        if change_requests.open_request(s, b.id) is not None:
            raise Conflict("You've already asked for another time. Your therapist will answer soon; your session "
                           "stays booked meanwhile.")
        preferred = _preferred(times, b.client.timezone)
        if not preferred and not note:
            raise InvalidInput("Please give one to three times that would suit you, or write a note.", "times")
        now = clock.now()
        s.add(ClientChangeRequest(booking_id=b.id, preferred=[t.isoformat() for t in preferred], note=note or None,
                                  asked_at=now))
        s.add(BookingEvent(booking_id=b.id, kind=EventKind.TIME_ASKED, actor=CLIENT, at=now,
                           detail={"times": [t.isoformat() for t in preferred], "note": note}))
        s.flush()
        t = b.therapist
        outbox.enqueue(s, cause=f"time_asked:{b.id}:{now.isoformat()}", channel="email", recipient=t.email,
                       booking_id=b.id, message=templates.time_asked_email(facts_for(b), t.timezone,
                                                                           config.session_url(b.id)))
        trail.record(s, CLIENT, AuditAction.CLIENT_ASK_TIME, booking_id=b.id, client_id=b.client_id)


# --- the therapist's side ---

def open_request_for(actor: Actor, booking_id) -> TimeRequest | None:
    """The client's open request for another time, for the session page (same access rule as the session)."""
    actor = require_actor(actor)
    with unit_of_work() as s:
        b = load(s, actor, booking_id)
        return _request_view(change_requests.open_request(s, b.id))


@dataclass(frozen=True)
class AskedItem:
    booking_id: int
    therapist: str
    attendees: list[str]
    session_type: str
    starts_at: datetime
    asked_at: datetime


def open_requests(actor: Actor, limit: int = 50) -> list[AskedItem]:
    """Clients waiting for an answer about another time, oldest first (a therapist's own; a manager's all)."""
    actor = require_actor(actor)
    with unit_of_work() as s:
        stmt = (select(Booking.id, User.name, Booking.session_type, Booking.starts_at, ClientChangeRequest.asked_at)
                .join(ClientChangeRequest, ClientChangeRequest.booking_id == Booking.id)
                .join(User, User.id == Booking.therapist_id)
                .where(ClientChangeRequest.answered_at.is_(None), Booking.status == BookingStatus.CONFIRMED,
                       Booking.starts_at > clock.now()))
        if not actor.is_manager:
            stmt = stmt.where(Booking.therapist_id == actor.id)
        rows = s.execute(stmt.order_by(ClientChangeRequest.asked_at).limit(limit)).all()
        names: dict[int, list[str]] = {}
        for bid, name in s.execute(select(Attendee.booking_id, Attendee.name).where(
                Attendee.booking_id.in_([r[0] for r in rows] or [0])).order_by(Attendee.position)):
            names.setdefault(bid, []).append(name)
    return [AskedItem(bid, therapist, names.get(bid, []), kind, starts, asked)
            for bid, therapist, kind, starts, asked in rows]


def say_no(actor: Actor, booking_id, expected_version: int, message: str, browser_session: str | None = None) -> None:
    """The therapist can't move the session: the client gets the message and the session stays booked."""
    actor = require_actor(actor)
    message = (message or "").strip()
    if not message:
        raise InvalidInput("Please write a message to the client.", "message")
    if len(message) > MAX_TEXT:
        raise InvalidInput(f"Please keep the message under {MAX_TEXT} characters.", "message")
    with unit_of_work(write=True) as s:
        b = load_for_change(s, actor, booking_id, expected_version, ("confirmed",), "answered")
        now = clock.now()
        req = change_requests.settle(s, b.id, "declined", actor.username, now, message)
        if req is None:
            raise Conflict("The client's request for another time has already been answered. Please reload.")
        s.add(BookingEvent(booking_id=b.id, kind=EventKind.TIME_REQUEST_NO, actor=actor.username, at=now,
                           detail={"message": message}))
        outbox.enqueue(s, cause=f"time_request_no:{b.id}:{req.id}", channel="email", recipient=b.client.email,
                       booking_id=b.id, message=templates.time_request_declined_email(facts_for(b), message))
        trail.record(s, actor.username, AuditAction.TIME_REQUEST_NO, booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)
