"""A therapist's private calendar feed, `/calendar/<token>.ics`, to subscribe to in Google, Apple or Outlook.

Confirmed sessions are CONFIRMED, requests waiting for an answer TENTATIVE ("awaiting your answer", with the
link to the session page), offered times TENTATIVE, cancelled sessions CANCELLED. A session keeps the UID
and SEQUENCE of the client's invitation (lib.notify.ics), so both calendars speak of the same event. Nothing
clinical: clients by first name and initial, the kind of session and where, and the link (which needs a
sign-in). The token is random and only its SHA-256 is kept: the address is shown once, when made; a reset
makes a new one and the old address answers 404 at once.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from icalendar import Calendar, Event
from sqlalchemy import Table, or_, select, update

from lib.audit import trail
from lib.core import clock, config
from lib.core.access import Actor, require_actor
from lib.core.db import unit_of_work
from lib.core.models import Booking, Client, Notification, TherapistCalendar, TimeOffer, User
from lib.core.vocabulary import AuditAction
from lib.notify import ics

READ_NOTED_EVERY = timedelta(minutes=5)  # a calendar app's reads are noted at most this often (one write)
LOOK_BACK = timedelta(days=30)
LOOK_AHEAD = timedelta(days=365)
MAX_EVENTS = 2000
STATUSES = {"confirmed": "CONFIRMED", "unconfirmed": "TENTATIVE", "awaiting_client": None, "cancelled": "CANCELLED"}
TYPE_WORDS = {"individual": "Individual", "couple": "Couple", "family": "Family", "group": "Group"}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,100}$")
_SEQUENCE = re.compile(r"^SEQUENCE:(\d+)\s*$", re.MULTILINE)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def url_for(token: str) -> str:
    return f"{config.app_base_url()}/calendar/{token}.ics"


@dataclass(frozen=True)
class FeedStatus:
    made_at: datetime | None  # None: no feed
    read_at: datetime | None  # last read by a calendar app (to within READ_NOTED_EVERY)


def feed_status(actor: Actor) -> FeedStatus:
    """When this person's current feed address was made, and last read by a calendar app."""
    actor = require_actor(actor)
    with unit_of_work() as s:
        row = s.get(TherapistCalendar, actor.id)
        if row is None or not row.feed_token_hash:
            return FeedStatus(None, None)
        return FeedStatus(row.feed_token_made_at, row.feed_read_at)


def new_address(actor: Actor, browser_session: str | None = None) -> str:
    """Make the feed's address (or a new one: the old one stops working at once). Shown once: only a hash
    of it is kept."""
    actor = require_actor(actor)
    token = secrets.token_urlsafe(32)
    with unit_of_work(write=True) as s:
        row = s.get(TherapistCalendar, actor.id, with_for_update=True)
        if row is None:
            row = TherapistCalendar(user_id=actor.id, busy_count=0)
            s.add(row)
        had_one = bool(row.feed_token_hash)
        row.feed_token_hash, row.feed_token_made_at, row.feed_read_at = _hash(token), clock.now(), None
        trail.record(s, actor.username, AuditAction.CALENDAR_FEED_RESET if had_one else "calendar_feed_made",
                     browser_session=browser_session)
    return url_for(token)


def turn_off(actor: Actor, browser_session: str | None = None) -> None:
    """No feed at all: the address answers 404 from now on."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        row = s.get(TherapistCalendar, actor.id, with_for_update=True)
        if row is not None and row.feed_token_hash:
            row.feed_token_hash = row.feed_token_made_at = row.feed_read_at = None
            trail.record(s, actor.username, AuditAction.CALENDAR_FEED_OFF, browser_session=browser_session)


def short_name(name: str | None) -> str:
    """'Oliver Bennett' → 'Oliver B.' (first name and initial; never the whole name)."""
    parts = (name or "").split()
    if not parts:
        return "Client"
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


def _where(b) -> str:
    if b.delivery == "online":
        return f"Online ({b.video_service or 'video'})"
    return f"In person at {b.address}" if b.address else "In person"


def _sequences(s, booking_ids: list[int]) -> dict[int, int]:
    """The SEQUENCE of the last invitation each session's client was sent (the outbox keeps its .ics)."""
    found: dict[int, int] = {}
    for start in range(0, len(booking_ids), 500):
        rows = s.execute(select(Notification.booking_id, Notification.ics).where(
            Notification.booking_id.in_(booking_ids[start:start + 500]), Notification.ics.is_not(None))
            .order_by(Notification.id))
        for bid, text in rows:
            if m := _SEQUENCE.search(text.replace("\r\n", "\n")):
                found[bid] = int(m.group(1))
    return found


def _event(uid: str, sequence: int, starts_at: datetime, minutes: int, status: str, summary: str,
           where: str, link: str, note: str) -> Event:
    ev = Event()
    ev.add("uid", uid)
    ev.add("sequence", sequence)
    ev.add("dtstamp", clock.now().replace(tzinfo=UTC))
    start = starts_at.replace(tzinfo=UTC)
    ev.add("dtstart", start)
    ev.add("dtend", start + timedelta(minutes=minutes))
    ev.add("status", status)
    ev.add("summary", summary)
    ev.add("location", where)
    ev.add("description", f"{note}\n{link}")
    ev.add("url", link)
    ev.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    return ev


def feed_for(token: str | None) -> str | None:
    """The feed's ICS text for this token, or None (unknown, reset, turned off, or the person is inactive)."""
    if not token or not _TOKEN.match(token):
        return None
    with unit_of_work() as s:
        user = s.scalar(select(User).join(TherapistCalendar, TherapistCalendar.user_id == User.id).where(
            TherapistCalendar.feed_token_hash == _hash(token), User.active.is_(True)))
        if user is None:
            return None
        text = _feed(s, user)
    _note_read(_hash(token))
    return text


def _note_read(token_hash: str) -> None:
    """Remember when a calendar app last read the feed (shown in /settings: a leaked address shows there)."""
    now = clock.now()
    t = TherapistCalendar.__table__.c
    with unit_of_work(write=True) as s:
        s.execute(update(cast(Table, TherapistCalendar.__table__)).where(
            t.feed_token_hash == token_hash, or_(t.feed_read_at.is_(None), t.feed_read_at <= now - READ_NOTED_EVERY))
            .values(feed_read_at=now))


def _feed(s, user: User) -> str:
    """The ICS text of this therapist's feed."""
    now = clock.now()
    sessions = s.execute(
        select(Booking, Client.name).join(Client, Client.id == Booking.client_id).where(
            Booking.therapist_id == user.id, Booking.status.in_(list(STATUSES)),
            Booking.starts_at >= now - LOOK_BACK, Booking.starts_at < now + LOOK_AHEAD)
        .order_by(Booking.starts_at, Booking.id).limit(MAX_EVENTS)).all()
    offers = s.execute(
        select(TimeOffer, Booking, Client.name).join(Booking, Booking.id == TimeOffer.booking_id)
        .join(Client, Client.id == Booking.client_id).where(
            Booking.therapist_id == user.id, TimeOffer.open.is_(True),
            Booking.status.in_(["awaiting_client", "confirmed"]), TimeOffer.starts_at >= now - LOOK_BACK)
        .order_by(TimeOffer.starts_at, TimeOffer.id).limit(MAX_EVENTS)).all()
    sequences = _sequences(s, [b.id for b, _ in sessions])
    cal = Calendar()
    cal.add("prodid", "-//Booking Desk//Therapist feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Booking Desk sessions")
    cal.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT15M")
    for b, client_name in sessions:
        status = STATUSES[b.status]
        if status is None:  # times offered instead: those times are drawn below, not the one asked for
            continue
        who = short_name(client_name)
        kind = TYPE_WORDS.get(b.session_type, b.session_type.title())
        summary, note = {
            "CONFIRMED": (f"{who} — {kind} session", "Confirmed session."),
            "TENTATIVE": (f"Awaiting your answer: {who} — {kind} session",
                          "A session request awaiting your answer. Answer it in Booking Desk:"),
            "CANCELLED": (f"Cancelled: {who} — {kind} session", "This session was cancelled."),
        }[status]
        cal.add_component(_event(ics.uid_for(b.id), sequences.get(b.id, b.version), b.starts_at,
                                 b.duration_minutes, status, summary, _where(b), config.session_url(b.id), note))
    for offer, b, client_name in offers:
        cal.add_component(_event(
            f"offer-{offer.id}@booking-desk", 0, offer.starts_at, b.duration_minutes, "TENTATIVE",
            f"Offered time: {short_name(client_name)} (waiting for the client to choose)", _where(b),
            config.session_url(b.id), "A time you offered; the client has not chosen yet."))
    return cal.to_ical().decode()
