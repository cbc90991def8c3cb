"""Answering a new-request alert without signing in: the email's private link and the text's reply code.

**The link** (`/confirm?token=…`) is `<booking id>.<therapist id>.<valid until, epoch seconds>.<signature>`,
signed with BOOKING_DESK_SECRET, valid until the request's cut-off (when it would expire unanswered, or the
session's start if that is sooner). Nothing is stored, so opening it — by the therapist, a mail scanner or
anyone — reads and changes nothing. Only `confirm_from_link` acts, through lib.bookings.dashboard.confirm (the same
clash rules, history and audit, marked "from the email link"). It is single use by the session's own
state: it can only confirm a request still waiting for an answer, which happens at most once.

**The reply code** ("Reply C 4821 to confirm."): four digits derived from the therapist, the request and the
secret (an HMAC), so none is stored anywhere to leak; it works only from the therapist's own alert number,
until the same cut-off, and wrong guesses are limited (lib.bookings.sms_replies).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from lib.bookings import availability, dashboard
from lib.bookings.availability import Clash
from lib.bookings.tokens import BadToken, sign
from lib.core import clock, config
from lib.core.access import Actor
from lib.core.db import unit_of_work
from lib.core.errors import Conflict
from lib.core.models import Booking, User
from lib.core.vocabulary import BookingStatus
from lib.notify.templates import TYPE_LABELS
from lib.practice.signing import key_for_links

PURPOSE = "alert"
VIA_LINK = "the email link"
_EPOCH = datetime(1970, 1, 1)
EXPIRED = ("This link has passed the request's cut-off, so it can't confirm anything now. Open Booking Desk to "
           "see what happened to the request.")


def cut_off(b) -> datetime:
    """Until when the request can be answered from an alert: its expiry, or the session's start if sooner."""
    return min(b.expires_at, b.starts_at) if b.expires_at else b.starts_at


def _nonce(booking_id: int, therapist_id: int, until: int) -> str:
    return f"{booking_id}-{therapist_id}-{until}"


def link_token(booking_id: int, therapist_id: int, until: datetime, key: str) -> str:
    seconds = int((until - _EPOCH).total_seconds())
    return f"{booking_id}.{therapist_id}.{seconds}.{sign(key, _nonce(booking_id, therapist_id, seconds), PURPOSE)}"


def link_url(b, key: str | None = None) -> str:
    """The private link for this request's therapist (b: a Booking, or the bulk import's stand-in)."""
    key = key or key_for_links()
    return f"{config.app_base_url()}/confirm?token={link_token(b.id, b.therapist_id, cut_off(b), key)}"


def secret_digits(key: str, what: str, digits: int) -> str:
    """A short code of `digits` digits that only the holder of `key` can work out for `what`."""
    mac = hmac.new(key.encode(), what.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10 ** digits:0{digits}d}"


def reply_code(booking_id: int, therapist_id: int, key: str) -> str:
    """The four digits that confirm this request by text, for this therapist only."""
    return secret_digits(key, f"sms-code:{therapist_id}:{booking_id}", 4)


@dataclass(frozen=True)
class LinkGrant:
    booking_id: int
    therapist_id: int
    valid_until: datetime  # naive UTC

    @property
    def expired(self) -> bool:
        return clock.now() >= self.valid_until


def check_link(token: str | None, session=None) -> LinkGrant:
    """What a genuine link names; BadToken (one message) for anything altered or made up."""
    try:
        booking_part, therapist_part, until_part, sig = (token or "").split(".")
        booking_id, therapist_id, until = int(booking_part), int(therapist_part), int(until_part)
    except ValueError:
        raise BadToken() from None
    if len(sig) != 32 or not hmac.compare_digest(
            sig, sign(key_for_links(session), _nonce(booking_id, therapist_id, until), PURPOSE)):
        raise BadToken()
    return LinkGrant(booking_id, therapist_id, _EPOCH + timedelta(seconds=until))


def first_names(names) -> list[str]:
    return [(n.split() or ["—"])[0] for n in names]


def location_kind(delivery: str) -> str:
    return "Online" if delivery == "online" else "In person"


@dataclass(frozen=True)
class AlertView:
    """Only what the alert email shows (no surname, no contact details, nothing clinical), the availability
    check, and the request's state."""
    booking_id: int
    version: int
    status: str
    starts_at: datetime
    duration_minutes: int
    type_label: str
    first_names: list[str]
    location_kind: str
    therapist_tz: str
    valid_until: datetime
    clashes: list[Clash]
    outside_hours: bool
    working_hours_text: str

    @property
    def expired(self) -> bool:
        return clock.now() >= self.valid_until

    @property
    def can_confirm(self) -> bool:
        return self.status == BookingStatus.UNCONFIRMED and not self.expired

    @property
    def status_label(self) -> str:
        return dashboard.STATUS_LABELS.get(self.status, self.status)


def _booking_for(s, grant: LinkGrant) -> Booking:
    """The request the link names, still this therapist's (an active one), or BadToken."""
    b = s.get(Booking, grant.booking_id)
    if b is None or b.therapist_id != grant.therapist_id or not b.therapist.active:
        raise BadToken()
    return b


def view(token: str | None) -> AlertView:
    """The page behind the link. Reads only: opening it any number of times changes nothing."""
    with unit_of_work() as s:
        grant = check_link(token, s)
        b = _booking_for(s, grant)
        t = b.therapist
        avail = (availability.check(s, t, b.starts_at, b.duration_minutes, ignore_booking_id=b.id)
                 if b.status == BookingStatus.UNCONFIRMED else availability.Availability([], False, ""))
        return AlertView(b.id, b.version, b.status, b.starts_at, b.duration_minutes,
                         TYPE_LABELS.get(b.session_type, b.session_type.title()),
                         first_names(a.name for a in b.attendees), location_kind(b.delivery), t.timezone,
                         grant.valid_until, avail.clashes, avail.outside_hours, avail.working_hours_text)


def therapist_actor(u: User) -> Actor:
    return Actor(u.id, u.username, u.name, u.role, u.timezone)


def confirm_from_link(token: str | None, expected_version: int, browser_session: str | None = None) -> None:
    """Confirm Session pressed on the link's page: the same service as the session page's button.

    BadToken for a bad or expired link; Conflict when the request was answered (or changed) meanwhile;
    InvalidInput for a clash."""
    with unit_of_work() as s:
        grant = check_link(token, s)
        b = _booking_for(s, grant)
        actor = therapist_actor(b.therapist)
        status = b.status
    if grant.expired:
        raise BadToken(EXPIRED)
    if status != BookingStatus.UNCONFIRMED:
        raise Conflict(f"This request was already answered: it is {dashboard.STATUS_LABELS.get(status, status).lower()}."
                       " Nothing more was changed or sent.")
    dashboard.confirm(actor, grant.booking_id, expected_version, browser_session, via=VIA_LINK)


def visible_to(actor: Actor | None, token: str | None) -> int | None:
    """The session the link names when this signed-in person may open its normal page, else None."""
    if actor is None:
        return None
    try:
        grant = check_link(token)
    except BadToken:
        return None
    return grant.booking_id if actor.is_manager or actor.id == grant.therapist_id else None


def live_requests(s, therapist_id: int) -> list[Booking]:
    """The therapist's requests whose cut-off has not passed (any state: a repeat answer is told it was
    answered), newest first."""
    now = clock.now()
    rows = s.scalars(select(Booking).where(Booking.therapist_id == therapist_id, Booking.starts_at > now,
                                           or_(Booking.expires_at.is_(None), Booking.expires_at > now))
                     .order_by(Booking.requested_at.desc(), Booking.id.desc()))
    return [b for b in rows if cut_off(b) > now]
