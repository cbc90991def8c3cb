"""The practice's people (/people, managers only): who works here, and what a manager may change about them.

A manager never sees, types or sends a password: a new person gets a single-use link to choose one. The
practice always keeps an active manager: nobody deactivates themselves or demotes or deactivates the last one.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.bookings import worklist
from lib.core import clock
from lib.core.access import ROLES, Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import InvalidFields, InvalidInput, NotFound
from lib.core.models import Booking, LoginFailure, User
from lib.core.vocabulary import AuditAction
from lib.notify import outbox
from lib.notify.templates.accounts import set_password_email
from lib.people import account_links, sign_in_sessions
from lib.people.auth import LOCK_AFTER_FAILURES, LOCK_WINDOW, add_user
from lib.people.password_changes import send_reset_link
from lib.practice import rules
from lib.practice.settings import checked_timezone, checked_week

OPEN_REQUESTS = ("unconfirmed", "awaiting_client")
NOT_FOUND = "We couldn't find that person."
LAST_MANAGER = "The practice needs at least one active practice manager: make someone else a manager first."


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    name: str
    email: str
    role: str
    status: str  # active | invited | locked | deactivated
    last_sign_in_at: datetime | None
    sms_alerts: bool
    two_step: bool

    @property
    def role_label(self) -> str:
        return "Practice manager" if self.role == "manager" else "Therapist"


def everyone(actor: Actor) -> list[Person]:
    """Everyone, active people first, by name."""
    require_manager(actor)
    since = clock.now() - LOCK_WINDOW
    with unit_of_work(read_only=True) as s:
        users = s.scalars(select(User).order_by(User.active.desc(), func.lower(User.name))).all()
        failures = dict(s.execute(select(LoginFailure.username, func.count()).where(LoginFailure.at >= since)
                                  .group_by(LoginFailure.username)).all())
    found = []
    for u in users:
        if not u.active:
            status = "deactivated"
        elif failures.get(u.username, 0) >= LOCK_AFTER_FAILURES:
            status = "locked"
        elif u.password_set_at is None:
            status = "invited"
        else:
            status = "active"
        found.append(Person(u.id, u.username, u.name, u.email, u.role, status, u.last_sign_in_at,
                            bool(u.sms_opt_in), u.totp_enabled_at is not None))
    return found


def _person(s: Session, user_id: int, lock: bool = False) -> User:
    stmt = select(User).where(User.id == user_id)
    user = s.scalar(stmt.with_for_update() if lock else stmt)
    if user is None:
        raise NotFound(NOT_FOUND)
    return user


def _named(s: Session, user_id: int | None, username: str | None) -> User:
    """A person by id (the /people page) or by username (the command line)."""
    if user_id is not None:
        return _person(s, user_id)
    user = s.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        raise NotFound(NOT_FOUND)
    return user


def _other_active_managers(s: Session, user: User) -> int:
    return s.scalar(select(func.count()).select_from(User).where(
        User.role == "manager", User.active.is_(True), User.id != user.id)) or 0


def add(actor: Actor, *, username: str, name: str, email: str, role: str, timezone: str,
        hours: dict[str, str] | None = None, browser_session: str | None = None) -> str:
    """Add a person and queue their 'set your password' email (a link valid 24 hours). Returns their email."""
    require_manager(actor)
    errors: dict[str, str] = {}
    tz = checked_timezone((timezone or "").strip(), errors)
    week = checked_week(hours or {}, errors, "hours_") if role == "therapist" else None
    if not (name or "").strip():
        errors["name"] = "Please give the person's name."
    if errors:
        raise InvalidFields(errors)
    with unit_of_work(write=True) as s:
        # Nobody knows this password (it is never shown or sent): the person chooses theirs with the link.
        user = add_user(s, username, name, email, role, secrets.token_urlsafe(32), timezone=tz,
                        check_password=False, working_hours=week, password_set_at=None)
        if (s.scalar(select(func.count()).select_from(User).where(func.lower(User.email) == user.email)) or 0) > 1:
            raise InvalidInput("Someone already uses that email address.", "email")
        token = account_links.issue(s, user, account_links.SET_PASSWORD, account_links.FIRST_PASSWORD_VALID)
        outbox.enqueue(s, cause=f"set_password:{token[:24]}", channel="email", recipient=user.email,
                       message=set_password_email(user.name, rules.get_all(s)["practice_name"], actor.name,
                                                  user.username, account_links.url(token)))
        trail.record(s, actor.username, AuditAction.PERSON_ADDED, browser_session=browser_session,
                     detail=f"{user.username} as {role}")
        return user.email


def deactivate(actor: Actor, user_id: int, browser_session: str | None = None) -> int:
    """Deactivate someone: their sessions end at once, their bookings and history stay, and their open
    requests go on the practice team's worklist for reassignment. Returns how many requests went there."""
    require_manager(actor)
    if user_id == actor.id:
        raise InvalidInput("You can't deactivate yourself; another practice manager can.")
    now = clock.now()
    with unit_of_work(write=True) as s:
        user = _person(s, user_id, lock=True)
        if not user.active:
            raise InvalidInput(f"{user.name} is deactivated already.")
        if user.role == "manager" and not _other_active_managers(s, user):
            raise InvalidInput(LAST_MANAGER)
        user.active, user.deactivated_at = False, now
        sign_in_sessions.end_all(s, user, "deactivated", by=actor.username, browser_session=browser_session)
        account_links.revoke_all(s, user)
        open_ids = s.scalars(select(Booking.id).where(Booking.therapist_id == user.id,
                                                      Booking.status.in_(OPEN_REQUESTS))).all()
        for booking_id in open_ids:
            worklist.open_task(s, booking_id, worklist.Reason.THERAPIST_DEACTIVATED, now)
        trail.record(s, actor.username, AuditAction.PERSON_DEACTIVATED, browser_session=browser_session,
                     detail=f"{user.username}; {len(open_ids)} open request(s) to the practice team's worklist")
        return len(open_ids)


def reactivate(actor: Actor, user_id: int, browser_session: str | None = None) -> None:
    require_manager(actor)
    with unit_of_work(write=True) as s:
        user = _person(s, user_id)
        if user.active:
            raise InvalidInput(f"{user.name} is active already.")
        user.active, user.deactivated_at = True, None
        trail.record(s, actor.username, AuditAction.PERSON_REACTIVATED, browser_session=browser_session,
                     detail=user.username)


def unlock(actor: Actor | None, user_id: int | None = None, *, username: str | None = None,
           browser_session: str | None = None) -> str:
    """Clear someone's failed attempts so they can sign in again at once. `actor` None: the command line."""
    if actor is not None:
        require_manager(actor)
    with unit_of_work(write=True) as s:
        user = _named(s, user_id, username)
        s.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
        trail.record(s, actor.username if actor else "command line", AuditAction.UNLOCKED, browser_session=browser_session,
                     detail=user.username)
        return user.name


def send_reset(actor: Actor | None, user_id: int | None = None, *, username: str | None = None,
               browser_session: str | None = None) -> str:
    """Email someone a link to choose a new password (valid 24 hours); their password works until they use it.
    `actor` None: the command line. Returns their email address."""
    if actor is not None:
        require_manager(actor)
    with unit_of_work(write=True) as s:
        user = _named(s, user_id, username)
        if not user.active:
            raise InvalidInput(f"{user.name} is deactivated: reactivate them first.")
        send_reset_link(s, user, account_links.SENT_BY_MANAGER_VALID)
        trail.record(s, actor.username if actor else "command line", AuditAction.RESET_LINK_SENT,
                     browser_session=browser_session, detail=user.username)
        return user.email


def change_role(actor: Actor, user_id: int, role: str, browser_session: str | None = None) -> None:
    require_manager(actor)
    if role not in ROLES:
        raise InvalidInput("Choose therapist or practice manager.", "role")
    with unit_of_work(write=True) as s:
        user = _person(s, user_id, lock=True)
        if user.role == role:
            return
        if user.role == "manager" and user.active and not _other_active_managers(s, user):
            raise InvalidInput(LAST_MANAGER)
        before, user.role = user.role, role
        # Their open sessions pick up the new role on their next click (the actor is re-read every run).
        trail.record(s, actor.username, AuditAction.ROLE_CHANGED, browser_session=browser_session,
                     detail=f"{user.username}: {before} → {role}")


def practice_week() -> dict[str, list]:
    """The practice's opening hours: a new therapist's working hours until they change them."""
    with unit_of_work(read_only=True) as s:
        return rules.get_all(s)["business_hours"]

