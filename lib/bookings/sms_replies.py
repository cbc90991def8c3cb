"""A therapist's text back to a new-request alert (Twilio's inbound webhook; server/sms.py checks the signature).

"C 4821" confirms the request whose alert carried that code (lib.bookings.alert_answers.reply_code), through
lib.bookings.dashboard.confirm: the same clash rules, history and audit, marked "from a text reply". It must come from
the therapist's own alert number, proved theirs, while their SMS alerts are on, before the request's cut-off.
A number is proved by texting "VERIFY" and the six digits /settings shows its owner (verification_code): only
someone who is signed in as the therapist and holds the phone can do that, so a mistyped number's stranger
can never answer for them. "STOP" (and the
carriers' other opt-out words) turns SMS alerts off. Anything else — a wrong code, an unknown number, a clash,
a request answered already — gets a short reply that says nothing about anyone else, and changes nothing.
Every message is audited; wrong codes are limited per therapist (WRONG_CODES_ALLOWED in WRONG_CODE_WINDOW).
"""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from lib.audit import trail
from lib.bookings import alert_answers, dashboard
from lib.core import clock, config
from lib.core.access import Actor, require_actor
from lib.core.contacts import normalise_phone
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput, NotFound
from lib.core.models import AuditEntry, User
from lib.core.vocabulary import AuditAction
from lib.practice.signing import key_for_links

# The opt-out words carriers and Twilio honour (the whole message, any case).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
CODE = re.compile(r"^C\s*[-:#]?\s*(\d{4})[.!]?$")
VERIFY = re.compile(r"^VERIFY\s*[-:#]?\s*(\d{6})[.!]?$")
WRONG_CODES_ALLOWED = 5
WRONG_CODE_WINDOW = timedelta(minutes=30)
VIA_TEXT = "a text reply"

UNKNOWN = "Booking Desk can't take replies from this number. Please answer in the app."
VERIFIED = "Booking Desk: this number is verified. To confirm a request, reply C and the code in its alert."
NOT_UNDERSTOOD = ("Booking Desk: to confirm, reply C and the 4-digit code from the alert (e.g. C 1234), or answer "
                  "in the app.")
WRONG = "That code doesn't match a request waiting for you. Nothing was changed."
TOO_MANY = "Too many wrong codes, so text replies are paused for a while. Please answer in the app."
AMBIGUOUS = "That code fits more than one request. Nothing was changed: please answer in the app."
CLASH = "Not confirmed: that time clashes with another session. Please answer in the app."
MEANWHILE = "That request was answered meanwhile. Nothing was changed."


@dataclass(frozen=True)
class Reply:
    text: str | None  # None: nothing is texted back (after STOP the carrier sends its own confirmation)
    outcome: str  # confirmed | stopped | unknown_number | not_understood | wrong_code | rate_limited | ...


def masked(number: str | None) -> str:
    return f"{number[:3]}…{number[-3:]}" if number and len(number) > 6 else "an unknown number"


def summary(starts_at, tz: str, client_name: str) -> str:
    """'Tue 8 Dec 11:00, Oliver B.' (no surname in a text)."""
    t = clock.local(starts_at, tz)
    first, *rest = client_name.split() or ["—"]
    return f"{t:%a} {t.day} {t:%b} {t:%H:%M}, {first}" + (f" {rest[-1][0]}." if rest else ".")


def _number(raw: str | None) -> str | None:
    try:
        return normalise_phone(raw)
    except InvalidInput:
        return None


def _alert_owner(s, number: str | None, proved: bool = True) -> User | None:
    """The one active therapist whose SMS alerts go to this number, proved theirs (`proved`); two people
    sharing it: nobody."""
    if not number:
        return None
    stmt = select(User).where(User.sms_phone == number, User.active.is_(True), User.role == "therapist",
                              User.sms_opt_in.is_(True))
    users = s.scalars(stmt.where(User.sms_verified_phone == number) if proved else stmt).all()
    return users[0] if len(users) == 1 else None


def verification_code(user_id: int, number: str, key: str) -> str:
    """The six digits that prove `number` is this person's (shown to them alone, in /settings)."""
    return alert_answers.secret_digits(key, f"sms-verify:{user_id}:{number}", 6)


@dataclass(frozen=True)
class ReplySetup:
    """What /settings says about replying to alerts by text."""
    phone: str
    verified: bool
    code: str | None  # VERIFY code to text, while the number is not proved
    practice_number: str | None  # TWILIO_FROM_NUMBER, where alerts come from


def setup_for(actor: Actor) -> ReplySetup | None:
    """For a therapist with SMS alerts on: whether replies work yet, and if not, the code to text (theirs alone)."""
    actor = require_actor(actor)
    with unit_of_work() as s:
        u = s.get_one(User, actor.id)
        if u.role != "therapist" or not (u.sms_opt_in and u.sms_phone):
            return None
        verified = u.sms_verified_phone == u.sms_phone
        return ReplySetup(u.sms_phone, verified, None if verified else verification_code(u.id, u.sms_phone,
                                                                                           key_for_links(s)),
                          config.settings().TWILIO_FROM_NUMBER)


def replies_on(u: User) -> bool:
    """Alerts to this person carry a reply code: their SMS alerts are on, to a number they proved."""
    return bool(u.sms_opt_in and u.sms_phone and u.sms_verified_phone == u.sms_phone)


def _wrong_codes(s, username: str) -> int:
    return s.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.username == username, AuditEntry.action == "sms_wrong_code",
        AuditEntry.at >= clock.now() - WRONG_CODE_WINDOW)) or 0


def _refuse(username: str | None, detail: str, text: str, outcome: str, booking_id: int | None = None,
            action: str = "sms_reply_refused") -> Reply:
    """Nothing changes: the message is audited (one transaction) and answered."""
    with unit_of_work(write=True) as s:
        trail.record(s, username, action, booking_id=booking_id, detail=detail)
    return Reply(text, outcome)


def _stop(number: str | None) -> Reply:
    """Every account alerted at this number stops getting texts (one transaction, audited)."""
    with unit_of_work(write=True) as s:
        users = s.scalars(select(User).where(User.sms_phone == number)).all() if number else []
        for u in users:
            u.sms_opt_in = False
            trail.record(s, u.username, AuditAction.SMS_STOP, detail=f"from {masked(number)}")
        if not users:
            trail.record(s, None, AuditAction.SMS_REPLY_REFUSED, detail=f"STOP from {masked(number)}: not an alert number")
    return Reply(None, "stopped")


def _verify(number: str | None, code: str) -> Reply:
    """VERIFY 123456 from the number: it becomes the number replies are taken from (one transaction, audited)."""
    source = f"from {masked(number)}"
    with unit_of_work(write=True) as s:
        t = _alert_owner(s, number, proved=False)
        if t is None or number is None:  # no number: no owner either
            trail.record(s, None, AuditAction.SMS_REPLY_REFUSED, detail=f"{source}: VERIFY from an unknown number")
            return Reply(UNKNOWN, "unknown_number")
        if _wrong_codes(s, t.username) >= WRONG_CODES_ALLOWED:
            trail.record(s, t.username, AuditAction.SMS_REPLY_REFUSED, detail=f"{source}: paused after too many wrong codes")
            return Reply(TOO_MANY, "rate_limited")
        if not hmac.compare_digest(code, verification_code(t.id, number, key_for_links(s))):
            trail.record(s, t.username, AuditAction.SMS_WRONG_CODE, detail=f"{source}: wrong VERIFY code")
            return Reply(WRONG, "wrong_code")
        t.sms_verified_phone = number
        trail.record(s, t.username, AuditAction.SMS_VERIFIED, detail=source)
    return Reply(VERIFIED, "verified")


def handle(from_number: str | None, body: str | None) -> Reply:
    """What to do with one inbound text (its signature already checked), and what to answer."""
    words = " ".join((body or "").split()).upper()
    number = _number(from_number)
    if words in STOP_WORDS:
        return _stop(number)
    if (proof := VERIFY.match(words)) is not None:
        return _verify(number, proof.group(1))
    with unit_of_work() as s:
        t = _alert_owner(s, number)
        if t is None:
            who = None
        else:
            who, actor = t.username, alert_answers.therapist_actor(t)
            too_many = _wrong_codes(s, who) >= WRONG_CODES_ALLOWED
            match = CODE.match(words)
            if match and not too_many:
                key = key_for_links(s)
                hits = [(b.id, b.version, b.status, summary(b.starts_at, t.timezone, b.client.name))
                        for b in alert_answers.live_requests(s, t.id)
                        if alert_answers.reply_code(b.id, t.id, key) == match.group(1)]
    source = f"from {masked(number)}"
    if who is None:
        return _refuse(None, f"{source}: not a therapist's alert number", UNKNOWN, "unknown_number")
    if match is None:
        return _refuse(who, f"{source}: not a code", NOT_UNDERSTOOD, "not_understood")
    if too_many:
        return _refuse(who, f"{source}: paused after too many wrong codes", TOO_MANY, "rate_limited")
    if not hits:
        return _refuse(who, f"{source}: no live request has this code", WRONG, "wrong_code", action="sms_wrong_code")
    waiting = [h for h in hits if h[2] == "unconfirmed"]
    if len(waiting) > 1:
        return _refuse(who, f"{source}: the code fits {len(waiting)} requests", AMBIGUOUS, "ambiguous")
    if not waiting:
        booking_id, _, status, said = hits[0]
        label = dashboard.STATUS_LABELS.get(status, status).lower()
        return _refuse(who, f"{source}: already {label}", f"Already {label}: {said} Nothing was changed.",
                       "already_answered", booking_id)
    booking_id, version, _, said = waiting[0]
    try:
        dashboard.confirm(actor, booking_id, version, via=f"{VIA_TEXT} ({masked(number)})")
    except InvalidInput:
        return _refuse(who, f"{source}: clash", CLASH, "clash", booking_id)
    except (Conflict, NotFound):
        return _refuse(who, f"{source}: changed meanwhile", MEANWHILE, "changed", booking_id)
    return Reply(f"Confirmed: {said}", "confirmed")


def record_forgery(number: str | None) -> None:
    """A text whose Twilio signature failed: audited (the number masked), acted on in no way."""
    with unit_of_work(write=True) as s:
        trail.record(s, None, AuditAction.SMS_FORGED, detail=f"claimed to be from {masked(number)}")
