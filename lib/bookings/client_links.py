"""What a client can do without logging in, through a private link: pick an offered time, fill in
the self-assessment. A bad, expired or used link gets one kind message that reveals nothing."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from lib.bookings import assessments, tokens, worklist
from lib.bookings.answers import manager_emails
from lib.bookings.changes import facts_for, require_free
from lib.bookings.tokens import BadToken
from lib.core import clock, config
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import Assessment, Booking, BookingEvent, Relationship, TimeOffer
from lib.core.vocabulary import BookingStatus, EventKind
from lib.notify import outbox, templates

ASSESSMENT_VALID_FOR = timedelta(days=30)



@dataclass(frozen=True)
class OfferView:
    first_name: str
    therapist_name: str
    session_type: str
    duration_minutes: int
    client_tz: str
    location: str
    offers: list[tuple[int, datetime]]
    chosen: datetime | None = None  # the link was used: the session is confirmed at this time
    keeps: datetime | None = None  # a booked session the client asked to move: it stays here unless they pick


class LinkAnswered(BadToken):
    """A genuine link that has done its job or been replaced: each says what became of it, kindly."""


class OfferWithdrawn(LinkAnswered):
    message = ("The times in this link were changed or withdrawn by your therapist, so it no longer works. Please "
               "look for our latest email about your session: it has the news. If anything is unclear, just reply "
               "to it.")


class AlreadyNoneFit(LinkAnswered):
    message = ("Thank you — you've already told us none of the times work. The practice team will contact you to "
               "find another time or therapist.")


class AlreadyChosen(LinkAnswered):
    message = "Thank you — you've already chosen a time, and your session is confirmed. Please see our email."


class SessionCancelled(LinkAnswered):
    message = ("This session has been cancelled, so there is nothing to choose. Please see our email about it; if "
               "you'd like another time, just reply to it.")


def _offer_view(b: Booking, offers: list[tuple[int, datetime]], chosen: datetime | None = None) -> OfferView:
    f = facts_for(b)
    return OfferView(f.client_first_name, f.therapist_name, f.type_label, b.duration_minutes, b.client.timezone,
                     f.location, offers, chosen, b.starts_at if b.status == BookingStatus.CONFIRMED and not chosen else None)


def offer_for(token: str | None) -> OfferView:
    """The offered times behind a client's link; reopened after the client picked, the time they chose."""
    with unit_of_work() as s:
        try:
            grant = tokens.check(s, token, "respond")
        except BadToken:
            spent = _after_use(s, token)
            if isinstance(spent, OfferView):
                return spent
            raise spent from None
        b = s.get(Booking, grant.booking_id)
        if b is None or b.status not in ("awaiting_client", "confirmed"):
            raise BadToken()
        offers = s.execute(select(TimeOffer.id, TimeOffer.starts_at).where(
            TimeOffer.booking_id == b.id, TimeOffer.open.is_(True)).order_by(TimeOffer.starts_at)).all()
        if not offers:  # a booked session's offer that was answered or replaced
            raise BadToken()
        return _offer_view(b, [(offer_id, at) for offer_id, at in offers])


def _after_use(s, token: str | None) -> OfferView | BadToken:
    """A link that no longer works: the time the client chose, or why it stopped (kindly, to its owner)."""
    gone = tokens.spent(s, token, "respond")
    b = s.get(Booking, gone.booking_id) if gone and gone.booking_id else None
    if b is None or gone is None:  # gone is None only when b is
        return BadToken()
    picked = s.scalar(select(BookingEvent.id).where(BookingEvent.booking_id == b.id,
                                                     BookingEvent.kind == EventKind.CLIENT_PICKED))
    if gone.used and b.status == BookingStatus.CONFIRMED and picked:
        return _offer_view(b, [], chosen=b.starts_at)
    if b.status == BookingStatus.CANCELLED:
        return AlreadyNoneFit() if gone.used else SessionCancelled()
    if gone.revoked:
        return OfferWithdrawn()
    return BadToken()


def respond(token: str | None, offer_id: int | None) -> str:
    """The client's pick (an offer id) or None for "none of these work". Returns what happened."""
    with unit_of_work(write=True) as s:
        try:
            grant = tokens.check(s, token, "respond", lock=True)
        except BadToken:
            spent = _after_use(s, token)
            raise (spent if isinstance(spent, BadToken) else AlreadyChosen()) from None
        b = s.scalar(select(Booking).where(Booking.id == grant.booking_id).with_for_update())
        if b is None or b.status not in ("awaiting_client", "confirmed"):
            raise BadToken()
        offers = s.scalars(select(TimeOffer).where(TimeOffer.booking_id == b.id, TimeOffer.open.is_(True))).all()
        if b.status == BookingStatus.CONFIRMED:
            return _move_booked(s, grant, b, offers, offer_id)
        now, team = clock.now(), manager_emails(s)
        if offer_id is None:
            b.status = BookingStatus.CANCELLED
            kind, cause = "cancelled", f"none_fits:{b.id}"
            worklist.open_task(s, b.id, worklist.Reason.NONE_FITS, now)
        else:
            chosen = _free_pick(s, b, offers, offer_id, "tell us none of them work")
            b.starts_at, b.status = chosen.starts_at, "confirmed"
            kind, cause = "client_picked", f"client_picked:{b.id}"
        for o in offers:
            o.open = False
        tokens.use_up(s, grant)
        s.add(BookingEvent(booking_id=b.id, kind=kind, actor="client", at=now))
        s.flush()
        facts = facts_for(b)
        if offer_id is None:
            outbox.enqueue_each(s, cause=cause, recipients=team, booking_id=b.id,
                                message=templates.none_fits_manager_email(facts, config.session_url(b.id)))
            outbox.enqueue(s, cause=cause, channel="email", recipient=b.client.email, booking_id=b.id,
                           message=templates.cancelled_client_email(facts, True))
            return "none_fits"
        outbox.enqueue(s, cause=f"confirmed:{b.id}:v{b.version}", channel="email", recipient=b.client.email,
                       booking_id=b.id, message=templates.confirmed_email(facts))
        outbox.enqueue(s, cause=cause, channel="email", recipient=b.therapist.email, booking_id=b.id,
                       message=templates.client_picked_email(facts, b.therapist.timezone, config.session_url(b.id)))
        return "confirmed"


def _free_pick(s, b: Booking, offers: Sequence[TimeOffer], offer_id: int, otherwise: str) -> TimeOffer:
    """The offered time the client picked, if it is still free."""
    chosen = next((o for o in offers if o.id == offer_id), None)
    if chosen is None:
        raise InvalidInput("Please choose one of the times shown.")
    try:
        require_free(s, b, chosen.starts_at, b.client.timezone, ignore_ids=(b.id,))
    except InvalidInput:
        raise Conflict(f"Sorry — that time has just been taken. Please choose another, or {otherwise}.") from None
    return chosen


def _move_booked(s, grant, b: Booking, offers: Sequence[TimeOffer], offer_id: int | None) -> str:
    """The client asked to move a booked session and was offered times: a pick moves it ("moved"), "none of
    these" keeps it where it is ("kept"). Either way the therapist is told and the client's link is used up."""
    if not offers:
        raise BadToken()
    now, old = clock.now(), b.starts_at
    if offer_id is not None:
        b.starts_at = _free_pick(s, b, offers, offer_id, "keep your current time").starts_at
    for o in offers:
        o.open = False
    tokens.use_up(s, grant)
    s.add(BookingEvent(booking_id=b.id, kind=EventKind.CLIENT_PICKED if offer_id else "kept_time", actor="client", at=now))
    s.flush()
    facts, t = facts_for(b), b.therapist
    if offer_id is None:
        outbox.enqueue(s, cause=f"kept_time:{b.id}:v{b.version}", channel="email", recipient=t.email,
                       booking_id=b.id, message=templates.kept_time_email(facts, t.timezone, config.session_url(b.id)))
        return "kept"
    outbox.enqueue(s, cause=f"rescheduled:{b.id}:v{b.version}", channel="email", recipient=b.client.email,
                   booking_id=b.id, message=templates.rescheduled_email(facts, old, by_client=True))
    outbox.enqueue(s, cause=f"client_picked:{b.id}:v{b.version}", channel="email", recipient=t.email,
                   booking_id=b.id, message=templates.client_picked_email(facts, t.timezone, config.session_url(b.id)))
    return "moved"


# --- the self-assessment ---

@dataclass(frozen=True)
class AssessmentForm:
    first_name: str
    phq9: list[int | None]
    gad7: list[int | None]
    help_with: list[str]
    free_text: str
    status: str
    therapist_name: str = ""  # who will read the answers
    client_tz: str = "Europe/London"


def _relationship_for(s, grant) -> Relationship:
    b = s.get(Booking, grant.booking_id)
    if b is None:
        raise BadToken()
    return s.get(Relationship, b.relationship_id)


def assessment_for(token: str | None) -> AssessmentForm:
    with unit_of_work() as s:
        grant = tokens.check(s, token, "assessment")
        rel = _relationship_for(s, grant)
        a = s.scalar(select(Assessment).where(Assessment.relationship_id == rel.id))
        v = assessments.view(a)
        b = s.get_one(Booking, grant.booking_id)  # a checked token names a booking that exists
        return AssessmentForm(rel.client.name.split()[0] if rel.client.name else "there", v.phq9, v.gad7,
                              v.help_with, v.free_text, v.status, b.therapist.name, rel.client.timezone)


def save_assessment(token: str | None, phq9: list, gad7: list, help_with: list[str], free_text: str) -> str:
    """Save what the client has answered so far; returns the new completeness."""
    free_text = (free_text or "").strip()
    if len(free_text) > 5000:
        raise InvalidInput("Please keep your answer under 5,000 characters.", "free_text")
    help_with = [h for h in help_with if h in assessments.HELP_TOPICS]
    with unit_of_work(write=True) as s:
        grant = tokens.check(s, token, "assessment", lock=True)
        rel = _relationship_for(s, grant)
        a = s.scalar(select(Assessment).where(Assessment.relationship_id == rel.id))
        was = assessments.view(a).status
        if a is None:
            a = Assessment(relationship_id=rel.id)
            s.add(a)
        a.phq9 = assessments.clean_answers(phq9, 9)
        a.gad7 = assessments.clean_answers(gad7, 7)
        a.help_with, a.free_text, a.updated_at = help_with, free_text, clock.now()
        status = assessments.completeness(a.phq9, a.gad7, a.help_with, a.free_text)
        b = s.get(Booking, grant.booking_id)
        assert b is not None  # _relationship_for() above found it, in this transaction
        if status == "complete" and was != "complete" and b.status == BookingStatus.UNCONFIRMED:
            outbox.enqueue(s, cause=f"assessment_ready:{b.id}", channel="email", recipient=b.therapist.email,
                           booking_id=b.id,
                           message=templates.assessment_ready_email(facts_for(b), b.therapist.timezone, config.session_url(b.id)))
        return status


def issue_assessment_link(s, booking: Booking) -> str:
    token = tokens.issue(s, "assessment", booking.client_id, booking.id, ASSESSMENT_VALID_FOR)
    return f"{config.app_base_url()}/assessment?token={token}"
