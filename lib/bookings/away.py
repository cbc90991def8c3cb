"""Therapists' away periods (leave). While a therapist is away, new requests for them go straight to the
practice team's worklist, no reminder or escalation is sent about them, their dashboard says so, and the
client is told kindly. `is_away` is public: the bookings API answers 409 for an away therapist with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.core import clock
from lib.core.access import Actor, require_actor
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput, NotFound
from lib.core.models import AwayPeriod, Booking, User
from lib.core.vocabulary import AuditAction

MAX_NOTE = 1000


@dataclass(frozen=True)
class Away:
    id: int
    therapist_id: int
    therapist_name: str
    starts_at: datetime  # naive UTC
    ends_at: datetime
    note: str
    created_by: str

    def reason(self, tz: str = "Europe/London") -> str:
        """The words for the booking channel and the team: 'therapist away until …'."""
        return f"{self.therapist_name} is away until {clock.fmt_local(self.ends_at, tz)}"


def _away(row: AwayPeriod, name: str) -> Away:
    return Away(row.id, row.therapist_id, name, row.starts_at, row.ends_at, row.note or "", row.created_by)


def away_at(s: Session, therapist_id: int, at: datetime) -> Away | None:
    """The away period covering `at` for this therapist (the one ending last, if several), inside a transaction."""
    found = s.execute(select(AwayPeriod, User.name).join(User, User.id == AwayPeriod.therapist_id).where(
        AwayPeriod.therapist_id == therapist_id, AwayPeriod.starts_at <= at, AwayPeriod.ends_at > at)
        .order_by(AwayPeriod.ends_at.desc())).first()
    return _away(*found) if found else None


def is_away(therapist_id: int, at: datetime | None = None) -> Away | None:
    """Is this therapist away at `at` (default now)? The away period if so, else None. For callers outside
    a transaction, such as the bookings API (answer 409 with `away.reason()`)."""
    with unit_of_work() as s:
        return away_at(s, int(therapist_id), clock.to_utc_naive(at) if at else clock.now())


def arrived_while_away():
    """SQL condition: the booking was requested while its therapist was away (for the figures and timers)."""
    return exists().where(and_(AwayPeriod.therapist_id == Booking.therapist_id,
                               AwayPeriod.starts_at <= Booking.requested_at, AwayPeriod.ends_at > Booking.requested_at))


def away_then(at: datetime):
    """SQL condition: the booking's therapist is away at `at`."""
    return exists().where(and_(AwayPeriod.therapist_id == Booking.therapist_id, AwayPeriod.starts_at <= at,
                               AwayPeriod.ends_at > at))


def _therapist(s: Session, actor: Actor, therapist_id) -> User:
    """A therapist sets their own away periods; a manager sets anyone's. Others get NotFound."""
    try:
        therapist_id = int(therapist_id)
    except (TypeError, ValueError):
        raise NotFound("We couldn't find that therapist.") from None
    if not actor.is_manager and therapist_id != actor.id:
        raise NotFound("We couldn't find that therapist.")
    user = s.scalar(select(User).where(User.id == therapist_id, User.role == "therapist"))
    if user is None:
        raise NotFound("We couldn't find that therapist.")
    return user


def periods(actor: Actor, therapist_id, include_past: bool = False) -> list[Away]:
    """A therapist's away periods, current and coming (and past ones on request), soonest first."""
    actor = require_actor(actor)
    with unit_of_work() as s:
        user = _therapist(s, actor, therapist_id)
        stmt = select(AwayPeriod).where(AwayPeriod.therapist_id == user.id)
        if not include_past:
            stmt = stmt.where(AwayPeriod.ends_at > clock.now())
        return [_away(r, user.name) for r in s.scalars(stmt.order_by(AwayPeriod.starts_at))]


def away_now(actor: Actor) -> list[Away]:
    """Who is away now: a therapist sees only themself; a manager every therapist (for the dashboards)."""
    actor = require_actor(actor)
    now = clock.now()
    with unit_of_work() as s:
        stmt = select(AwayPeriod, User.name).join(User, User.id == AwayPeriod.therapist_id).where(
            AwayPeriod.starts_at <= now, AwayPeriod.ends_at > now)
        if not actor.is_manager:
            stmt = stmt.where(AwayPeriod.therapist_id == actor.id)
        return [_away(r, name) for r, name in s.execute(stmt.order_by(User.name, AwayPeriod.ends_at))]


def set_away(actor: Actor, therapist_id, starts_at: datetime, ends_at: datetime, note: str = "",
             browser_session: str | None = None) -> int:
    """Add an away period (from–to, with an optional note for the team); returns its id."""
    actor = require_actor(actor)
    if starts_at is None or ends_at is None:
        raise InvalidInput("Please choose when the time away starts and ends.", "away")
    starts_at, ends_at = clock.to_utc_naive(starts_at), clock.to_utc_naive(ends_at)
    note = (note or "").strip()
    if ends_at <= starts_at:
        raise InvalidInput("The time away must end after it starts.", "away")
    if ends_at <= clock.now():
        raise InvalidInput("That time away has already ended; please choose dates from today on.", "away")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"Please keep the note under {MAX_NOTE} characters.", "note")
    with unit_of_work(write=True) as s:
        user = _therapist(s, actor, therapist_id)
        row = AwayPeriod(therapist_id=user.id, starts_at=starts_at, ends_at=ends_at, note=note or None,
                         created_by=actor.username, created_at=clock.now())
        s.add(row)
        s.flush()
        trail.record(s, actor.username, AuditAction.SET_AWAY, browser_session=browser_session,
                     detail=f"{user.username}: {starts_at:%Y-%m-%d %H:%M} to {ends_at:%Y-%m-%d %H:%M} UTC")
        return row.id


def end_away(actor: Actor, period_id, browser_session: str | None = None) -> None:
    """Remove a coming away period, or end a current one now (the past stays, for the figures)."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        row = s.get(AwayPeriod, int(period_id)) if str(period_id).isdigit() else None
        if row is None:
            raise NotFound("That time away no longer exists. Please reload.")
        user = _therapist(s, actor, row.therapist_id)
        now = clock.now()
        if row.ends_at <= now:
            raise InvalidInput("That time away has already ended.", "away")
        if row.starts_at > now:
            s.delete(row)
        else:
            row.ends_at = max(now, row.starts_at)
        trail.record(s, actor.username, AuditAction.END_AWAY, browser_session=browser_session,
                     detail=f"{user.username}: away period {row.id}")
