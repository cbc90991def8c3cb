"""Two-step sign-in (TOTP, RFC 6238): an authenticator app's 6-digit code after the password.

Codes allow one 30-second step of clock drift either way; each code works once (the last step used is
stored, and only later steps are accepted); wrong codes count towards the same lockout as wrong passwords.
Ten recovery codes, shown once and stored hashed, each work once in place of a code.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import UTC

import pyotp
import segno
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.core import clock
from lib.core.access import Actor, require_actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput, NotFound
from lib.core.models import RecoveryCode, User
from lib.core.vocabulary import AuditAction
from lib.notify import outbox
from lib.notify.templates.accounts import two_step_reset_email
from lib.people import sign_in_sessions
from lib.people.auth import LOCKED_LOGIN, WRONG_CODE, is_locked, record_login_failure
from lib.practice import rules

ISSUER = "Booking Desk"
RECOVERY_CODES = 10
DRIFT_STEPS = 1
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_secret() -> str:
    return pyotp.random_base32()


@dataclass(frozen=True)
class Enrolment:
    """What the set-up screen shows: the secret to type, and the same as a QR code (PNG)."""

    secret: str
    uri: str
    qr_png: bytes


def enrolment(username: str, secret: str, practice_name: str | None = None) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=practice_name or ISSUER)
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="png", scale=5, border=2)
    return Enrolment(secret, uri, buffer.getvalue())


def enrolment_for(username: str, secret: str) -> Enrolment:
    with unit_of_work(read_only=True) as s:
        name = rules.get_all(s)["practice_name"]
    return enrolment(username, secret, f"{ISSUER} ({name})")


def _step_now() -> int:
    return int(clock.now().replace(tzinfo=UTC).timestamp() // 30)


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step whose code this is (now, or one step either side), if not used before."""
    totp, now = pyotp.TOTP(secret), _step_now()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            return step
    return None


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _hash(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{_clean(code)}".encode()).hexdigest()


def _new_recovery_codes(s: Session, user: User) -> list[str]:
    s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        s.add(RecoveryCode(user_id=user.id, code_hash=_hash(user.id, raw)))
    return codes


def is_on(user_id: int) -> bool:
    with unit_of_work(read_only=True) as s:
        return s.get_one(User, user_id).totp_enabled_at is not None


def turn_on(user_id: int, secret: str, code: str, browser_session: str | None = None) -> list[str]:
    """Confirm the set-up with one code from the app; returns the 10 recovery codes (shown once)."""
    code = _clean(code)
    with unit_of_work(write=True) as s:
        user = s.get(User, user_id)
        if user is None or not user.active:
            raise NotFound()
        step = _matching_step(secret, code, None) if code.isdigit() and len(code) == 6 else None
        if step is None:
            raise InvalidInput("That code doesn't match. Check the time on your phone is right, and type the "
                               "6-digit code the app shows now.", "code")
        user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, clock.now(), step
        codes = _new_recovery_codes(s, user)
        trail.record(s, user.username, AuditAction.TWO_STEP_ON, browser_session=browser_session)
        return codes


def check_code(username: str, code: str, browser_session: str | None = None) -> None:
    """The second step of signing in: a code from the app or a recovery code. A wrong one counts towards
    the lockout; raises InvalidInput."""
    username = (username or "").strip().lower()
    if is_locked(username):
        record_login_failure(username, browser_session)
        raise InvalidInput(LOCKED_LOGIN)
    cleaned = _clean(code)
    accepted = None
    with unit_of_work(write=True) as s:
        user = s.scalar(select(User).where(User.username == username, User.active.is_(True)).with_for_update())
        if user is not None and user.totp_secret and user.totp_enabled_at:
            if cleaned.isdigit() and len(cleaned) == 6:
                step = _matching_step(user.totp_secret, cleaned, user.totp_last_step)
                if step is not None:
                    user.totp_last_step, accepted = step, "code"
            elif len(cleaned) == 10:
                row = s.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                          RecoveryCode.code_hash == _hash(user.id, cleaned),
                                                          RecoveryCode.used_at.is_(None)).with_for_update())
                if row is not None:
                    row.used_at, accepted = clock.now(), "recovery"
                    left = s.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                  RecoveryCode.used_at.is_(None)).limit(1))
                    trail.record(s, username, AuditAction.RECOVERY_CODE_USED, browser_session=browser_session,
                                 detail=None if left else "that was the last unused recovery code")
    if accepted is None:
        locked = record_login_failure(username, browser_session, action=AuditAction.TWO_STEP_FAILED)
        raise InvalidInput(LOCKED_LOGIN if locked else WRONG_CODE)


def recovery_codes_left(actor: Actor) -> int:
    actor = require_actor(actor)
    with unit_of_work(read_only=True) as s:
        return len(s.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == actor.id,
                                                           RecoveryCode.used_at.is_(None))).all())


def new_recovery_codes(actor: Actor, browser_session: str | None = None) -> list[str]:
    """Ten fresh recovery codes; the old ones stop working."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        user = s.get_one(User, actor.id)
        if user.totp_enabled_at is None:
            raise InvalidInput("Turn on two-step sign-in first.")
        codes = _new_recovery_codes(s, user)
        trail.record(s, actor.username, AuditAction.RECOVERY_CODES_RENEWED, browser_session=browser_session)
        return codes


def _off(s: Session, user: User) -> None:
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(actor: Actor, code: str, required: bool, browser_session: str | None = None) -> None:
    """Your own two-step sign-in off, proven with a current code; not while the practice requires it."""
    actor = require_actor(actor)
    if required:
        raise InvalidInput("The practice requires two-step sign-in for you, so it can't be turned off.")
    check_code(actor.username, code, browser_session)
    with unit_of_work(write=True) as s:
        _off(s, s.get_one(User, actor.id))
        trail.record(s, actor.username, AuditAction.TWO_STEP_OFF, browser_session=browser_session)


def reset(manager: Actor, user_id: int, browser_session: str | None = None) -> str:
    """A manager clears someone's two-step sign-in (a lost phone): audited, their sessions end, and they are
    emailed. Returns their email address (for the page's honest message)."""
    require_manager(manager)
    with unit_of_work(write=True) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("We couldn't find that person.")
        if user.totp_enabled_at is None:
            raise InvalidInput(f"{user.name} doesn't use two-step sign-in.")
        _off(s, user)
        sign_in_sessions.end_all(s, user, "two_step_reset", by=manager.username, browser_session=browser_session)
        trail.record(s, manager.username, AuditAction.TWO_STEP_RESET, browser_session=browser_session,
                     detail=f"for {user.username}")
        outbox.enqueue(s, cause=f"two_step_reset:{user.id}:{secrets.token_hex(8)}", channel="email",
                       recipient=user.email, message=two_step_reset_email(user.name, manager.name))
        return user.email
