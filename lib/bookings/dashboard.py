"""The service layer for sessions: the dashboard's lists and Confirm Session (one session's page is
read in lib.bookings.detail; the other answers are in lib.bookings.answers).

Every function takes the acting user and applies the access rule itself: a
therapist sees and acts on only their own sessions; a manager on all. "Not
yours" and "doesn't exist" give the same NotFound.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import groupby

from sqlalchemy import bindparam, case, func, select, union_all
from sqlalchemy.orm.exc import StaleDataError

from lib.audit import trail
from lib.bookings import assessments
from lib.bookings.changes import facts_for, load, load_for_change, record_first_response, require_free
from lib.core import clock, db
from lib.core.access import Actor, require_actor
from lib.core.db import unit_of_work
from lib.core.errors import Conflict
from lib.core.models import Assessment, Attendee, Booking, BookingEvent, User
from lib.core.vocabulary import OPEN_STATUSES, AuditAction, BookingStatus, EventKind
from lib.notify import outbox, templates
from lib.practice.rules import Rules

STATUS_LABELS = BookingStatus.labels()


@dataclass(frozen=True)
class QueueItem:
    id: int
    therapist: str
    attendees: list[str]
    session_type: str
    starts_at: datetime
    duration_minutes: int
    delivery: str
    requested_at: datetime
    response_due_at: datetime
    risk: bool = False  # PHQ-9 item 9 above 0 in the client's self-assessment

    def overdue(self, now: datetime) -> bool:
        return self.response_due_at <= now


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    total: int
    overdue: int


_ITEM_COLUMNS = (Booking.id, Booking.therapist_id, Booking.session_type, Booking.starts_at, Booking.duration_minutes,
                 Booking.delivery, Booking.requested_at, Booking.response_due_at, Booking.relationship_id)


@dataclass(frozen=True)
class Dashboard:
    queue: Queue
    awaiting: list[QueueItem]  # other times offered, the client hasn't picked yet
    upcoming: list[QueueItem]  # confirmed, starting in the next days


def _part(label: str, sort_key, where: list, limit: int):
    """One limited, index-ordered slice of the dashboard, as a subquery for the UNION. Ties (the same due
    time, as for every request made overnight) go to the client who has waited longest."""
    return select(db.fixed(label).label("part"), sort_key.label("sort_key"), *_ITEM_COLUMNS).where(*where).order_by(
        sort_key.nulls_last(), Booking.requested_at, Booking.id).limit(db.fixed(limit)).subquery()  # same on both DBs


@lru_cache(maxsize=8)
def _dashboard_statements(one_therapist: bool, limit: int):
    """The dashboard's query and its open-count query, built once per shape (building costs more than running).

    One round trip: the three limited slices (UNION ALL), each row joined to its therapist's name, its
    attendees (one row per attendee, in order) and its relationship's PHQ-9 answers (for the risk flag).
    Joins sit outside the slices, where they touch only the rows the slices keep.
    Parameters: tid (with one_therapist), now, until.
    """
    scope = [Booking.therapist_id == bindparam("tid")] if one_therapist else []
    # One open status, so `=`: an IN list would be written into the SQL afresh on every run. Statuses are
    # written into the SQL (db.fixed), so the plan made once per connection fits them.
    (open_status,) = OPEN_STATUSES
    open_where = [*scope, Booking.status == db.fixed(open_status)]
    parts = [
        _part("queue", Booking.response_due_at, open_where, limit),
        _part("awaiting", Booking.expires_at, [*scope, Booking.status == db.fixed("awaiting_client")], 50),
        _part("upcoming", Booking.starts_at, [*scope, Booking.status == db.fixed("confirmed"),
                                              Booking.starts_at >= bindparam("now"),
                                              Booking.starts_at < bindparam("until")], 50),
    ]
    u = union_all(*(select(*p.c) for p in parts)).subquery("u")
    stmt = (select(*u.c, User.name.label("therapist_name"), Attendee.name.label("attendee"), Assessment.phq9)
            .join(User, User.id == u.c.therapist_id)
            .outerjoin(Attendee, Attendee.booking_id == u.c.id)
            .outerjoin(Assessment, Assessment.relationship_id == u.c.relationship_id)
            .order_by(u.c.part, u.c.sort_key.nulls_last(), u.c.requested_at, u.c.id, Attendee.position))
    counts = select(func.count(), func.coalesce(func.sum(case(
        (Booking.response_due_at <= bindparam("now"), 1), else_=0)), 0)).where(*open_where)
    return stmt, counts


def dashboard(actor: Actor, therapist_id: int | None = None, days: int = 7, limit: int = 100) -> Dashboard:
    """Everything the dashboard shows, in one query (two with a very long queue)."""
    actor = require_actor(actor)
    now = clock.now()
    if not actor.is_manager:
        therapist_id = actor.id
    stmt, counts = _dashboard_statements(therapist_id is not None, limit)
    params = {"now": now, "until": now + timedelta(days=days)} | (
        {"tid": therapist_id} if therapist_id is not None else {})
    by_part: dict[str, list[QueueItem]] = {"queue": [], "awaiting": [], "upcoming": []}
    # Rows come ordered by part, urgency, wait and id, one per attendee: fold each booking's rows into one item.
    for (part, booking_id), group in groupby(db.lookup(stmt, params), key=lambda r: (r.part, r.id)):
        rows = list(group)
        b = rows[0]
        by_part[part].append(QueueItem(
            booking_id, b.therapist_name, [r.attendee for r in rows if r.attendee is not None], b.session_type,
            b.starts_at, b.duration_minutes, b.delivery, b.requested_at, b.response_due_at,
            risk=assessments.risk_flag(b.phq9) if b.phq9 else False))
    q = by_part["queue"]
    if len(q) < limit:
        total, overdue = len(q), sum(i.overdue(now) for i in q)
    else:
        total, overdue = db.lookup(counts, params)[0]
    return Dashboard(Queue(q, int(total), int(overdue)), by_part["awaiting"], by_part["upcoming"])


def queue(actor: Actor, therapist_id: int | None = None, limit: int = 100) -> Queue:
    """New and unconfirmed sessions, most urgent first."""
    return dashboard(actor, therapist_id, limit=limit).queue


def awaiting_client(actor: Actor, therapist_id: int | None = None) -> list[QueueItem]:
    """Sessions where other times were offered and the client hasn't picked yet (soonest expiry first)."""
    return dashboard(actor, therapist_id).awaiting


def upcoming(actor: Actor, days: int = 7, therapist_id: int | None = None) -> list[QueueItem]:
    """Confirmed sessions starting in the next `days` days."""
    return dashboard(actor, therapist_id, days=days).upcoming




def confirmation_preview(actor: Actor, booking_id) -> templates.Rendered:
    """The email the client will get if the session is confirmed now."""
    actor = require_actor(actor)
    with unit_of_work() as s:
        b = load(s, actor, booking_id)
        return templates.confirmed_email(facts_for(b))


def confirm(actor: Actor, booking_id, expected_version: int, browser_session: str | None = None,
            via: str | None = None) -> None:
    """Confirm an unconfirmed session: one winner, one client email, all in one transaction.

    `via` says where the answer came from when it was not the session page ("the email link", "a text
    reply …"): written into the history and the audit entry (lib.bookings.alert_answers, lib.bookings.sms_replies)."""
    actor = require_actor(actor)
    try:
        with unit_of_work(write=True) as s:
            b = load_for_change(s, actor, booking_id, expected_version, OPEN_STATUSES, "confirmed")
            require_free(s, b, b.starts_at, actor.timezone, viewer_id=actor.id)
            rules, now = Rules.load(s), clock.now()  # read before writing: one UPDATE, one version step
            b.status = BookingStatus.CONFIRMED
            record_first_response(b, rules, now)
            s.add(BookingEvent(booking_id=b.id, kind=EventKind.CONFIRMED, actor=actor.username, at=now,
                               detail={"via": via} if via else None))
            s.flush()  # the version check happens here
            outbox.enqueue(s, cause=f"confirmed:{b.id}:v{b.version}", channel="email", recipient=b.client.email,
                           message=templates.confirmed_email(facts_for(b)), booking_id=b.id)
            trail.record(s, actor.username, AuditAction.CONFIRM, booking_id=b.id, client_id=b.client_id,
                         browser_session=browser_session, detail=via and f"from {via}")
    except StaleDataError:
        raise Conflict() from None
