"""Deadlines: reminders, escalations and expiry, run by the dispatcher's periodic tick.

Idempotent: each step is recorded as a booking event and its messages carry a dedupe key,
so running the tick twice (or in two processes) never sends two reminders for one cause.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import exists, select

from lib.bookings import away, worklist
from lib.bookings.answers import manager_emails
from lib.bookings.changes import facts_for, record_wait_until_expiry
from lib.core import clock, config
from lib.core.db import unit_of_work
from lib.core.models import Booking, BookingEvent, TimeOffer
from lib.core.vocabulary import BookingStatus, EventKind
from lib.notify import outbox, templates
from lib.practice.business_hours import business_seconds_between
from lib.practice.rules import Rules

REMIND_WHEN_LEFT = 3600  # business seconds before the due time
BATCH = 200


@dataclass
class TickResult:
    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)



def _not_yet(kind: str):
    return ~exists().where(BookingEvent.booking_id == Booking.id, BookingEvent.kind == kind)


def tick() -> TickResult:
    """One pass over what is due now. Each booking is handled in its own small transaction."""
    result = TickResult()
    now = clock.now()
    with unit_of_work() as s:
        rules = Rules.load(s)
        # Reminder candidates: due within the next few calendar days, not yet reminded.
        soon = s.execute(select(Booking.id, Booking.response_due_at).where(
            Booking.status == BookingStatus.UNCONFIRMED, Booking.response_due_at > now,
            Booking.response_due_at <= now + timedelta(days=4), _not_yet("reminded"),
            ~away.away_then(now)).limit(BATCH)).all()
        overdue = s.scalars(select(Booking.id).where(
            Booking.status == BookingStatus.UNCONFIRMED, Booking.response_due_at <= now, _not_yet("escalated"),
            ~away.arrived_while_away()).limit(BATCH)).all()
        expiring = s.scalars(select(Booking.id).where(
            Booking.status.in_(("unconfirmed", "awaiting_client")), Booking.expires_at <= now).limit(BATCH)).all()
    remind = [bid for bid, due in soon if business_seconds_between(now, due, rules.calendar) <= REMIND_WHEN_LEFT]
    for bid in expiring:
        if _expire(bid, now):
            result.expired.append(bid)
    for bid in overdue:
        if bid not in result.expired and _step(bid, "escalated", now):
            result.escalated.append(bid)
    for bid in remind:
        if _step(bid, "reminded", now):
            result.reminded.append(bid)
    return result


def _step(booking_id: int, kind: str, now) -> bool:
    """Send a reminder or an escalation once; False if someone else did it or it no longer applies."""
    with unit_of_work(write=True) as s:
        b = s.scalar(select(Booking).where(Booking.id == booking_id).with_for_update())
        if b is None or b.status != BookingStatus.UNCONFIRMED or s.scalar(select(BookingEvent.id).where(
                BookingEvent.booking_id == b.id, BookingEvent.kind == kind)):
            return False
        # Nothing is sent about a therapist who is away: no reminder to them while they are away, and no
        # escalation for a request that arrived meanwhile (it went straight to the practice team's worklist).
        if away.away_at(s, b.therapist_id, now if kind == EventKind.REMINDED else b.requested_at) is not None:
            return False
        team = manager_emails(s) if kind == EventKind.ESCALATED else []
        s.add(BookingEvent(booking_id=b.id, kind=kind, actor="system", at=now))
        facts, t = facts_for(b), b.therapist
        if kind == EventKind.REMINDED:
            outbox.enqueue(s, cause=f"reminder:{b.id}", channel="email", recipient=t.email, booking_id=b.id,
                           message=templates.reminder_email(facts, t.timezone, b.response_due_at, config.session_url(b.id)))
            if t.sms_opt_in and t.sms_phone:
                outbox.enqueue(s, cause=f"reminder:{b.id}", channel="sms", recipient=t.sms_phone, booking_id=b.id,
                               message=templates.reminder_sms(facts, t.timezone, b.response_due_at, config.session_url(b.id)))
        else:
            outbox.enqueue_each(s, cause=f"escalation:{b.id}", recipients=team, booking_id=b.id,
                                message=templates.escalation_email(facts, b.response_due_at, config.session_url(b.id)))
        return True


def _expire(booking_id: int, now) -> bool:
    with unit_of_work(write=True) as s:
        b = s.scalar(select(Booking).where(Booking.id == booking_id).with_for_update())
        if b is None or b.status not in ("unconfirmed", "awaiting_client") or b.expires_at > now:
            return False
        team, offer = manager_emails(s), b.status == BookingStatus.AWAITING_CLIENT
        offers = s.scalars(select(TimeOffer).where(TimeOffer.booking_id == b.id, TimeOffer.open.is_(True))).all()
        b.status = BookingStatus.EXPIRED
        record_wait_until_expiry(b, Rules.load(s))
        for o in offers:
            o.open = False
        s.add(BookingEvent(booking_id=b.id, kind=EventKind.EXPIRED, actor="system", at=now))
        worklist.open_task(s, b.id, worklist.Reason.OFFER_LAPSED if offer else worklist.Reason.EXPIRED,
                                now)
        s.flush()
        facts = facts_for(b)
        outbox.enqueue(s, cause=f"expired:{b.id}", channel="email", recipient=b.client.email, booking_id=b.id,
                       message=templates.expired_client_email(facts))
        outbox.enqueue_each(s, cause=f"expired:{b.id}", recipients=team, booking_id=b.id,
                            message=templates.expired_manager_email(facts, config.session_url(b.id), offer=offer))
        return True
