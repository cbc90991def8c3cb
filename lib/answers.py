"""The therapist's other answers: a new agreed time, other times offered, not the best fit, cancel.

Each is one transaction: the change, its history event, its outbox messages and the audit entry.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from lib import audit, clock, config, tokens
from lib.auth import Actor, require_actor
from lib.bookings import OPEN_STATUSES, facts_for, load_for_change, record_first_response, require_free
from lib.db import unit_of_work
from lib.errors import Conflict, InvalidInput
from lib.models import BookingEvent, TimeOffer, User
from lib.notify import outbox, templates
from lib.practice import Rules

OFFER_VALID_FOR = timedelta(hours=24)
SHORT_NOTICE = timedelta(hours=48)
MAX_TEXT = 2000



def _future(when: datetime, viewer_tz: str) -> datetime:
    when = clock.to_utc_naive(when)
    if when <= clock.now() + timedelta(minutes=30):
        raise InvalidInput(f"{clock.fmt_local(when, viewer_tz)} is in the past or too soon; please choose a later time.")
    return when


def _text(value: str | None, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"Please write {label}.", label)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"Please keep {label} under {MAX_TEXT} characters.", label)
    return value


def manager_emails(s: Session) -> list[str]:
    """Where the practice team's emails go (every active manager)."""
    return list(s.scalars(select(User.email).where(User.role == "manager", User.active.is_(True))).all())


def _changing(fn):
    """Turn a lost optimistic-lock race into the friendly Conflict."""
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StaleDataError:
            raise Conflict() from None
    wrapper.__doc__, wrapper.__name__ = fn.__doc__, fn.__name__
    return wrapper


@_changing
def reschedule_agreed(actor: Actor, booking_id, expected_version: int, new_start: datetime,
                      browser_session: str | None = None) -> None:
    """A new time agreed with the client: confirmed at that time; the client gets an updated invitation."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        b = load_for_change(s, actor, booking_id, expected_version, OPEN_STATUSES + ("confirmed",), "moved")
        new_start = _future(new_start, actor.timezone)
        require_free(s, b, new_start, actor.timezone)
        rules, now, old = Rules.load(s), clock.now(), b.starts_at
        b.starts_at, b.status = new_start, "confirmed"
        record_first_response(b, rules, now)
        s.add(BookingEvent(booking_id=b.id, kind="rescheduled", actor=actor.username, at=now,
                           detail={"from": old.isoformat(), "to": new_start.isoformat()}))
        s.flush()
        outbox.enqueue(s, cause=f"rescheduled:{b.id}:v{b.version}", channel="email", recipient=b.client.email,
                       message=templates.rescheduled_email(facts_for(b), old), booking_id=b.id)
        audit.record(s, actor.username, "reschedule", booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)


@_changing
def offer_times(actor: Actor, booking_id, expected_version: int, times: list[datetime],
                browser_session: str | None = None) -> None:
    """'I'm not available': offer 1-3 other times; the client picks one through a private link."""
    actor = require_actor(actor)
    times = [t for t in times if t is not None]
    if not 1 <= len(times) <= 3:
        raise InvalidInput("Offer between one and three times.", "times")
    with unit_of_work(write=True) as s:
        b = load_for_change(s, actor, booking_id, expected_version, OPEN_STATUSES, "offered other times")
        times = sorted({_future(t, actor.timezone) for t in times})
        for t in times:
            require_free(s, b, t, actor.timezone)
        for a, c in zip(times, times[1:]):
            if c - a < timedelta(minutes=b.duration_minutes):
                raise InvalidInput("Two of the offered times overlap; please offer separate times.", "times")
        rules, now = Rules.load(s), clock.now()
        b.status = "awaiting_client"
        b.expires_at = now + OFFER_VALID_FOR
        record_first_response(b, rules, now)
        for t in times:
            s.add(TimeOffer(booking_id=b.id, starts_at=t, open=True))
        s.add(BookingEvent(booking_id=b.id, kind="offered", actor=actor.username, at=now,
                           detail={"times": [t.isoformat() for t in times]}))
        s.flush()
        token = tokens.issue(s, "respond", b.client_id, b.id, OFFER_VALID_FOR)
        link = f"{config.app_base_url()}/respond?token={token}"
        facts = facts_for(b)
        cause = f"offered:{b.id}:v{b.version}"
        outbox.enqueue(s, cause=cause, channel="email", recipient=b.client.email, booking_id=b.id,
                       message=templates.times_offered_email(facts, times, link))
        if b.client.phone:
            outbox.enqueue(s, cause=cause, channel="sms", recipient=b.client.phone, booking_id=b.id,
                           message=templates.times_offered_sms(facts, link))
        audit.record(s, actor.username, "offer_times", booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)


@_changing
def decline_not_fit(actor: Actor, booking_id, expected_version: int, reason: str, presenting_issues: str,
                    help_needed: str, browser_session: str | None = None) -> None:
    """Not the best fit: declined; managers asked to find another therapist; the client told kindly."""
    actor = require_actor(actor)
    reason = _text(reason, "the reason", required=True)
    presenting_issues = _text(presenting_issues, "the presenting issues")
    help_needed = _text(help_needed, "the kind of help needed")
    with unit_of_work(write=True) as s:
        b = load_for_change(s, actor, booking_id, expected_version, OPEN_STATUSES, "declined")
        rules, now, team = Rules.load(s), clock.now(), manager_emails(s)
        b.status = "declined"
        record_first_response(b, rules, now)
        s.add(BookingEvent(booking_id=b.id, kind="declined", actor=actor.username, at=now,
                           detail={"reason": reason, "presenting_issues": presenting_issues,
                                   "help_needed": help_needed}))
        s.flush()
        facts = facts_for(b)
        outbox.enqueue(s, cause=f"declined:{b.id}", channel="email", recipient=b.client.email, booking_id=b.id,
                       message=templates.declined_client_email(facts))
        outbox.enqueue_each(s, cause=f"declined:{b.id}", recipients=team, booking_id=b.id,
                            message=templates.declined_manager_email(facts, reason, help_needed,
                                                                     config.session_url(b.id)))
        audit.record(s, actor.username, "decline", booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)


def is_short_notice(starts_at: datetime) -> bool:
    return starts_at - clock.now() < SHORT_NOTICE


@_changing
def cancel(actor: Actor, booking_id, expected_version: int, reason: str, full_refund: bool | None = None,
           browser_session: str | None = None) -> None:
    """Cancel (therapist or manager). Under 48 hours' notice the canceller records the refund decision."""
    actor = require_actor(actor)
    reason = _text(reason, "a reason", required=True)
    with unit_of_work(write=True) as s:
        b = load_for_change(s, actor, booking_id, expected_version,
                            OPEN_STATUSES + ("confirmed", "awaiting_client"), "cancelled")
        short = is_short_notice(b.starts_at)
        if short and full_refund is None:
            raise InvalidInput("This session is less than 48 hours away: please say whether the client gets a "
                               "full refund.", "full_refund")
        refund = True if not short else bool(full_refund)
        now = clock.now()
        open_offers = s.scalars(select(TimeOffer).where(TimeOffer.booking_id == b.id, TimeOffer.open.is_(True))).all()
        b.status = "cancelled"
        for offer in open_offers:
            offer.open = False
        tokens.revoke_for_booking(s, b.id, "respond")
        s.add(BookingEvent(booking_id=b.id, kind="cancelled", actor=actor.username, at=now,
                           detail={"reason": reason, "short_notice": short, "full_refund": refund}))
        s.flush()
        outbox.enqueue(s, cause=f"cancelled:{b.id}", channel="email", recipient=b.client.email, booking_id=b.id,
                       message=templates.cancelled_client_email(facts_for(b), refund))
        audit.record(s, actor.username, "cancel", booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)
