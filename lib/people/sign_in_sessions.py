"""Where a person is signed in: one server-side record per signed-in browser (OWASP ASVS 7.3-7.5).

A browser holds the record's id in its server session, and a re-login cookie finds its record by the
cookie's expiry time (read through streamlit-authenticator's own cookie check, never decoded here). Ending
the record (signing out, "sign out everywhere else", the idle timeout, the absolute lifetime, a password
change, a deactivation) ends that browser's sign-in and makes a copy of its cookie worthless.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.core import clock, db
from lib.core.access import Actor, require_actor
from lib.core.db import unit_of_work
from lib.core.models import LoginFailure, SignInSession, User
from lib.core.vocabulary import AuditAction
from lib.practice import sign_in_rules

TOUCH_EVERY = timedelta(seconds=60)  # last seen is written at most this often (a write per click is waste)
END_REASONS = {
    "signed_out": "signed out", "signed_out_elsewhere": "signed out from another browser",
    "idle": "idle timeout", "lifetime": "reached the longest sign-in", "password_changed": "password changed",
    "deactivated": "account deactivated", "two_step_reset": "two-step sign-in reset",
}


@dataclass(frozen=True)
class SignedIn:
    """One of a person's active sessions, as /settings lists it."""

    id: int
    browser: str
    address: str | None
    started_at: datetime
    last_seen_at: datetime
    this_browser: bool


def start(user_id: int, *, browser: str | None, address: str | None, browser_session: str | None) -> int:
    """The person passed every sign-in step: record the session, the sign-in, and clear failed attempts."""
    now = clock.now()
    with unit_of_work(write=True) as s:
        user = s.get_one(User, user_id)
        user.last_sign_in_at = now
        row = SignInSession(user_id=user_id, started_at=now, last_seen_at=now, browser=(browser or "")[:200] or None,
                            address=(address or "")[:64] or None)
        s.add(row)
        s.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
        s.flush()
        trail.record(s, user.username, AuditAction.LOGIN, browser_session=browser_session, detail=f"session {row.id}")
        return row.id


def cookie_written(session_id: int, cookie_expires: float) -> None:
    """A re-login cookie with this expiry time was written for the session (the writer may be drawn over
    a few runs, each with a fresh time: the session accepts the range it wrote)."""
    with unit_of_work(write=True) as s:
        row = s.get(SignInSession, session_id)
        if row is None or row.ended_at is not None:
            return
        row.cookie_from = min(row.cookie_from or cookie_expires, cookie_expires)
        row.cookie_until = max(row.cookie_until or cookie_expires, cookie_expires)


def for_cookie(username: str, cookie_expires: float) -> int | None:
    """The live session a (genuine, library-checked) re-login cookie belongs to, or None."""
    with unit_of_work(read_only=True) as s:
        return s.scalar(
            select(SignInSession.id).join(User, User.id == SignInSession.user_id)
            .where(User.username == username, SignInSession.ended_at.is_(None),
                   SignInSession.cookie_from <= cookie_expires, SignInSession.cookie_until >= cookie_expires)
            .order_by(SignInSession.id.desc()).limit(1))


def _expired(row, rules: sign_in_rules.SignInRules, now: datetime) -> str | None:
    if now - row.started_at >= timedelta(hours=rules.lifetime_hours):
        return "lifetime"
    if now - row.last_seen_at > timedelta(minutes=rules.idle_minutes) + TOUCH_EVERY:
        return "idle"
    return None


_LIVE = (select(SignInSession.started_at, SignInSession.last_seen_at, SignInSession.ended_at, User.id, User.username,
                User.name, User.role, User.timezone, User.active)
         .join(User, User.id == SignInSession.user_id).where(SignInSession.id == bindparam("session_id")))


def live(session_id: int | None, browser_session: str | None = None) -> Actor | None:
    """The person this session signs in, if it is still live (not ended, not idle or too old, the person
    still active); notes that they were seen. Asked on every run, so an ended session is out on its next click:
    one indexed read (the practice's rules are kept a few seconds), a write at most once a minute."""
    if session_id is None:
        return None
    now = clock.now()
    rows = db.lookup(_LIVE, {"session_id": session_id})  # on every click: a key lookup
    found = rows[0] if rows else None
    if found is None or found.ended_at is not None or not found.active:
        return None
    rules = sign_in_rules.kept()
    if reason := _expired(found, rules, now):
        end_session(session_id, reason, browser_session)
        return None
    if now - found.last_seen_at >= TOUCH_EVERY:
        with unit_of_work(write=True) as s:
            s.get_one(SignInSession, session_id).last_seen_at = now
    return Actor(found.id, found.username, found.name, found.role, found.timezone)


def _end(s: Session, row: SignInSession, reason: str, username: str, by: str | None,
         browser_session: str | None) -> None:
    row.ended_at, row.end_reason = clock.now(), reason
    trail.record(s, by or username, AuditAction.SESSION_ENDED, browser_session=browser_session,
                 detail=f"{username}'s session {row.id}: {END_REASONS.get(reason, reason)}")


def end_session(session_id: int, reason: str = "signed_out", browser_session: str | None = None) -> None:
    """End one session (signing out of this browser; the idle timeout; the lifetime)."""
    with unit_of_work(write=True) as s:
        row = s.get(SignInSession, session_id)
        if row is not None and row.ended_at is None:
            _end(s, row, reason, s.get_one(User, row.user_id).username, None, browser_session)


def end_all(s: Session, user: User, reason: str, *, by: str | None = None, keep: int | None = None,
            browser_session: str | None = None) -> int:
    """End every live session of `user` except `keep`, inside the caller's transaction; returns how many."""
    rows = s.scalars(select(SignInSession).where(SignInSession.user_id == user.id,
                                                 SignInSession.ended_at.is_(None))).all()
    ended = 0
    for row in rows:
        if row.id != keep:
            _end(s, row, reason, user.username, by, browser_session)
            ended += 1
    return ended


def mine(actor: Actor, this_session: int | None) -> list[SignedIn]:
    """The actor's live sessions, this browser first, then the most recently seen."""
    actor = require_actor(actor)
    now = clock.now()
    with unit_of_work(read_only=True) as s:
        rules = sign_in_rules.load(s)
        rows = s.scalars(select(SignInSession).where(SignInSession.user_id == actor.id,
                                                     SignInSession.ended_at.is_(None))).all()
    found = [SignedIn(r.id, r.browser or "Unknown browser", r.address, r.started_at,
                      r.last_seen_at, r.id == this_session) for r in rows if not _expired(r, rules, now)]
    return sorted(found, key=lambda r: (not r.this_browser, -r.last_seen_at.timestamp()))


def sign_out_one(actor: Actor, session_id: int, browser_session: str | None = None) -> None:
    """Sign out one of your own sessions (someone else's id changes nothing and says nothing)."""
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        row = s.get(SignInSession, session_id)
        if row is not None and row.user_id == actor.id and row.ended_at is None:
            _end(s, row, "signed_out_elsewhere", actor.username, None, browser_session)


def sign_out_everywhere_else(actor: Actor, this_session: int | None, browser_session: str | None = None) -> int:
    actor = require_actor(actor)
    with unit_of_work(write=True) as s:
        return end_all(s, s.get_one(User, actor.id), "signed_out_elsewhere", keep=this_session,
                       browser_session=browser_session)
