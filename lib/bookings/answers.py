"""The therapist's other answers: a new agreed time, other times offered, not the best fit, cancel.

Each is one transaction: the change, its history event, its outbox messages and the audit entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from lib.audit import trail
from lib.bookings import availability, change_requests, tokens, worklist
from lib.bookings.changes import facts_for, load, load_for_change, record_first_response, require_free
from lib.bookings.dashboard import OPEN_STATUSES
from lib.core import clock, config
from lib.core.access import Actor, require_actor
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import BookingEvent, TimeOffer, User
from lib.core.vocabulary import AuditAction, BookingStatus, EventKind
from lib.notify import outbox, templates
from lib.practice.rules import Rules

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


def _reschedule_time(b, new_start: datetime, viewer_tz: str) -> datetime:
    """An agreed new time: a real change, and not in the past."""
    new_start = _future(new_start, viewer_tz)
    if new_start == b.starts_at:
        raise InvalidInput(f"{clock.fmt_local(new_start, viewer_tz)} is the session's current time. Choose the "
                           "new time you agreed with the client.", "starts_at")
    return new_start


@_changing
def reschedule_agreed(actor: Actor, booking_id, expected_version: int, new_start: datetime,
                      browser_session: str | None = None) -> None:
    """A new time agreed with the client: confirmed at that time; the client gets an updated invitation."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        b = load_for_change(s, actor, booking_id, expected_version, OPEN_STATUSES + ("confirmed",), "moved")
        new_start = _reschedule_time(b, new_start, actor.timezone)
        require_free(s, b, new_start, actor.timezone, viewer_id=actor.id)
        rules, now, old, was = Rules.load(s), clock.now(), b.starts_at, b.status
        b.starts_at, b.status = new_start, "confirmed"
        record_first_response(b, rules, now)
        change_requests.settle(s, b.id, "new_time", actor.username, now)  # the client's request, if they asked
        s.add(BookingEvent(booking_id=b.id, kind=EventKind.RESCHEDULED, actor=actor.username, at=now,
                           detail={"from": old.isoformat(), "to": new_start.isoformat(),
                                   "confirmed": was != "confirmed"}))
        s.flush()
        outbox.enqueue(s, cause=f"rescheduled:{b.id}:v{b.version}", channel="email", recipient=b.client.email,
                       message=templates.rescheduled_email(facts_for(b), old), booking_id=b.id)
        trail.record(s, actor.username, AuditAction.RESCHEDULE, booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)


def _offer_times_checked(s: Session, b, rules: Rules, times: list[datetime], outside_hours_ok: bool,
                         actor: Actor) -> list[datetime]:
    """The offer's rules, each refused with a message that says what to change (nothing is written)."""
    times = [clock.to_utc_naive(t) for t in times if t is not None]
    if not 1 <= len(times) <= 3:
        raise InvalidInput("Offer between one and three times.", "times")
    if len(set(times)) < len(times):
        raise InvalidInput("The same time is offered twice; please offer different times.", "times")
    times.sort()
    earliest = clock.now() + rules.minimum_notice
    whose, viewer_tz = ("your" if actor.id == b.therapist_id else "the therapist's"), actor.timezone
    for t in times:
        when = clock.fmt_local(t, viewer_tz)
        if t == b.starts_at:
            raise InvalidInput(f"{when} is the time the client asked for. To keep that time use Confirm Session; "
                               "here, offer other times.", "times")
        if t < earliest:
            raise InvalidInput(f"{when} is too soon: offer times at least {_hours(rules.minimum_notice)} ahead, "
                               "so the client has time to choose.", "times")
        require_free(s, b, t, viewer_tz, viewer_id=actor.id)
        avail = availability.check(s, b.therapist, t, b.duration_minutes, ignore_booking_id=b.id)
        if avail.outside_hours and not outside_hours_ok:
            raise InvalidInput(f"{when} is outside {whose} usual working hours ({avail.working_hours_text}). "
                               "Choose another time, or tick “Outside my usual hours — offer anyway”.",
                               "outside_hours")
    for a, c in zip(times, times[1:]):
        if c - a < timedelta(minutes=b.duration_minutes):
            raise InvalidInput("Two of the offered times overlap; please offer separate times.", "times")
    return times


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


@_changing
def offer_times(actor: Actor, booking_id, expected_version: int, times: list[datetime],
                browser_session: str | None = None, outside_hours_ok: bool = False) -> None:
    """'I'm not available': offer 1-3 other times; the client picks one through a private link.

    While the client has not picked, offering again changes the offer: the old times and link stop working
    at once and the client gets one email with the new times.

    A confirmed session whose client asked for another time (lib.bookings.client_changes) stays confirmed at its time
    while the client chooses: if they pick, it moves; if not, nothing changes.
    """
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        b = load_for_change(s, actor, booking_id, expected_version,
                            OPEN_STATUSES + ("awaiting_client", "confirmed"), "offered other times")
        rules, now, changing = Rules.load(s), clock.now(), b.status == BookingStatus.AWAITING_CLIENT
        stays_booked = b.status == BookingStatus.CONFIRMED
        if stays_booked and change_requests.open_request(s, b.id) is None:
            raise Conflict("This session is already confirmed and can't be offered other times. Please reload.")
        times = _offer_times_checked(s, b, rules, times, outside_hours_ok, actor)
        if changing:
            _end_offer(s, b)
        if stays_booked:
            change_requests.settle(s, b.id, "offered", actor.username, now)
            _end_offer(s, b)
        else:
            b.status = BookingStatus.AWAITING_CLIENT
            b.expires_at = min(now + OFFER_VALID_FOR, times[0])
        flag_modified(b, "expires_at")  # a changed offer is a new version even if nothing else on the row moved
        record_first_response(b, rules, now)
        for t in times:
            s.add(TimeOffer(booking_id=b.id, starts_at=t, open=True))
        s.add(BookingEvent(booking_id=b.id, kind=EventKind.OFFER_CHANGED if changing else "offered", actor=actor.username,
                           at=now, detail={"times": [t.isoformat() for t in times]}))
        s.flush()
        token = tokens.issue(s, "respond", b.client_id, b.id, OFFER_VALID_FOR)
        link = f"{config.app_base_url()}/respond?token={token}"
        facts = facts_for(b)
        cause = f"offered:{b.id}:v{b.version}"
        outbox.enqueue(s, cause=cause, channel="email", recipient=b.client.email, booking_id=b.id,
                       message=templates.times_offered_email(facts, times, link, changed=changing,
                                                             stays_booked=stays_booked))
        if b.client.phone:
            outbox.enqueue(s, cause=cause, channel="sms", recipient=b.client.phone, booking_id=b.id,
                           message=templates.times_offered_sms(facts, link))
        trail.record(s, actor.username, AuditAction.CHANGE_OFFER if changing else "offer_times", booking_id=b.id,
                     client_id=b.client_id, browser_session=browser_session)


def _end_offer(s: Session, b) -> None:
    """Close the open offered times and make the client's link stop working at once."""
    for offer in s.scalars(select(TimeOffer).where(TimeOffer.booking_id == b.id, TimeOffer.open.is_(True))):
        offer.open = False
    tokens.revoke_for_booking(s, b.id, "respond")


@_changing
def withdraw_offer(actor: Actor, booking_id, expected_version: int, browser_session: str | None = None) -> None:
    """Take back offered times the client has not picked from: the request is unconfirmed again, in the
    therapist's queue, and the client is told in one email that an answer will follow."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        b = load_for_change(s, actor, booking_id, expected_version, ("awaiting_client",), "withdrawn")
        rules, now = Rules.load(s), clock.now()
        _end_offer(s, b)
        b.status = BookingStatus.UNCONFIRMED
        # The client is waiting for an answer again: the cut-off counts from now, as for a new request.
        b.expires_at = rules.expires_at(now, b.starts_at)
        s.add(BookingEvent(booking_id=b.id, kind=EventKind.OFFER_WITHDRAWN, actor=actor.username, at=now))
        s.flush()
        outbox.enqueue(s, cause=f"offer_withdrawn:{b.id}:v{b.version}", channel="email", recipient=b.client.email,
                       booking_id=b.id, message=templates.offer_withdrawn_email(facts_for(b)))
        trail.record(s, actor.username, AuditAction.WITHDRAW_OFFER, booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)


def suggested_times(actor: Actor, booking_id, count: int = 6) -> list[datetime]:
    """Free times to offer: the therapist's working hours, after the minimum notice, clear of their sessions
    and live offers, never the time the client asked for nor a practice holiday."""
    actor = require_actor(actor)
    with unit_of_work() as s:
        b = load(s, actor, booking_id)
        rules = Rules.load(s)
        return availability.free_slots(s, b.therapist, b.duration_minutes, clock.now() + rules.minimum_notice,
                                       count=count, avoid=(b.starts_at,), ignore_booking_id=b.id,
                                       skip_day=rules.calendar.is_holiday)


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
        b.status = BookingStatus.DECLINED
        record_first_response(b, rules, now)
        s.add(BookingEvent(booking_id=b.id, kind=EventKind.DECLINED, actor=actor.username, at=now,
                           detail={"reason": reason, "presenting_issues": presenting_issues,
                                   "help_needed": help_needed}))
        s.flush()
        facts = facts_for(b)
        outbox.enqueue(s, cause=f"declined:{b.id}", channel="email", recipient=b.client.email, booking_id=b.id,
                       message=templates.declined_client_email(facts))
        worklist.open_task(s, b.id, worklist.Reason.DECLINED, now)
        outbox.enqueue_each(s, cause=f"declined:{b.id}", recipients=team, booking_id=b.id,
                            message=templates.declined_manager_email(facts, reason, help_needed,
                                                                     config.session_url(b.id)))
        trail.record(s, actor.username, AuditAction.DECLINE, booking_id=b.id, client_id=b.client_id,
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
        if short:  # the team checks the refund decision the canceller recorded
            worklist.open_task(s, b.id, worklist.Reason.LATE_CANCEL, clock.now())
        cancel_in(s, b, actor.username, reason, refund)
        trail.record(s, actor.username, AuditAction.CANCEL, booking_id=b.id, client_id=b.client_id,
                     browser_session=browser_session)


def cancel_in(s: Session, b, by: str, reason: str, refund: bool):
    """The cancellation itself inside the caller's transaction (also lib.lifecycle.erasure): the status, the history
    event and the usual email to the client; returns the queued email's outbox row."""
    now = clock.now()
    _end_offer(s, b)
    change_requests.settle(s, b.id, "cancelled", by, now)
    b.status = BookingStatus.CANCELLED
    s.add(BookingEvent(booking_id=b.id, kind=EventKind.CANCELLED, actor=by, at=now,
                       detail={"reason": reason, "short_notice": is_short_notice(b.starts_at), "full_refund": refund}))
    s.flush()
    return outbox.enqueue(s, cause=f"cancelled:{b.id}", channel="email", recipient=b.client.email, booking_id=b.id,
                          message=templates.cancelled_client_email(facts_for(b), refund))


@dataclass(frozen=True)
class CancelPreview:
    short_notice: bool
    policy: str  # the 48-hour policy line that applies now, in plain words
    email: templates.Rendered  # what the client will be sent


def cancellation_preview(actor: Actor, booking_id, full_refund: bool | None) -> CancelPreview:
    """What cancelling now would mean and send, shown before anything happens."""
    actor = require_actor(actor)
    with unit_of_work() as s:
        b = load(s, actor, booking_id)
        short = is_short_notice(b.starts_at)
        refund = True if not short else full_refund
        policy = ("More than 48 hours away: the client gets a full refund." if not short else
                  "Less than 48 hours away: the practice decides about a refund — "
                  + ("you chose a full refund." if refund else "you chose no refund." if refund is False
                     else "please choose."))
        return CancelPreview(short, policy, templates.cancelled_client_email(facts_for(b), refund))
