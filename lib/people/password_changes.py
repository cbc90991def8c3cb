"""Changing a password: your own in /settings, from an emailed link, and "Forgot your password?".

Each change ends the person's other sessions, clears their failed attempts, is audited and tells them by email.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import bcrypt
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.core import clock
from lib.core.access import Actor, require_actor
from lib.core.contacts import normalise_email
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import LoginFailure, ResetRequest, User
from lib.core.vocabulary import AuditAction
from lib.notify import outbox
from lib.notify.templates.accounts import password_changed_email, reset_password_email
from lib.people import account_links, sign_in_sessions
from lib.people.auth import LOCKED_LOGIN, hash_password, is_locked, record_login_failure
from lib.people.passwords import check_new_password

FORGOT_SAYS = ("If an active account uses that address, we have emailed it a link to choose a new password. "
               "The link works once, for 1 hour. Nothing arrived? Check your spam folder, or ask a practice manager.")
PER_ADDRESS_PER_HOUR = 3
PER_CLIENT_PER_HOUR = 10
TOO_MANY = "Too many password reset requests. Please wait an hour and try again, or ask a practice manager."
WRONG_CURRENT = "Your current password isn't right; nothing was changed."


def _set(s: Session, user: User, new_password: str, *, keep: int | None, cause: str,
         browser_session: str | None) -> None:
    check_new_password(new_password, (user.username, user.name, user.email))
    first = user.password_set_at is None
    user.password_hash, user.password_set_at = hash_password(new_password), clock.now()
    s.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
    sign_in_sessions.end_all(s, user, "password_changed", keep=keep, browser_session=browser_session)
    account_links.revoke_all(s, user)
    trail.record(s, user.username, AuditAction.PASSWORD_SET if first else cause, browser_session=browser_session)
    if not first:
        outbox.enqueue(s, cause=f"password_changed:{user.id}:{secrets.token_hex(8)}", channel="email",
                       recipient=user.email, message=password_changed_email(user.name))


def change_mine(actor: Actor, current: str, new: str, this_session: int | None,
                browser_session: str | None = None) -> None:
    """Your own password, with the current one; your other sessions end, this one stays."""
    actor = require_actor(actor)
    if is_locked(actor.username):
        raise InvalidInput(LOCKED_LOGIN)
    with unit_of_work() as s:
        stored = s.get_one(User, actor.id).password_hash.encode()
    if not bcrypt.checkpw((current or "").encode(), stored):
        record_login_failure(actor.username, browser_session)  # guessing here counts as at the sign-in form
        raise InvalidInput(WRONG_CURRENT, "current")
    with unit_of_work(write=True) as s:
        _set(s, s.get_one(User, actor.id), new, keep=this_session, cause=AuditAction.PASSWORD_CHANGED,
             browser_session=browser_session)


@dataclass(frozen=True)
class LinkDetails:
    name: str
    username: str
    first_password: bool


def link_details(token: str | None) -> LinkDetails:
    """Whose link this is (for the page's greeting), or InvalidInput with the one bad-link message."""
    with unit_of_work() as s:
        link = account_links.check(s, token)
        user = s.get_one(User, link.user_id)
        return LinkDetails(user.name, user.username, user.password_set_at is None)


def set_from_link(token: str | None, new_password: str, browser_session: str | None = None) -> str:
    """Set the password a link was sent for; the link is used up. Returns the username (to sign in with)."""
    with unit_of_work(write=True) as s:
        link = account_links.check(s, token, lock=True)
        user = s.get_one(User, link.user_id)
        _set(s, user, new_password, keep=None, cause=AuditAction.PASSWORD_RESET, browser_session=browser_session)
        account_links.use_up(s, link)
        return user.username


def send_reset_link(s: Session, user: User, valid_for: timedelta) -> str:
    """Queue a reset link to the person (manager, command line, or "Forgot your password?"); returns the link."""
    token = account_links.issue(s, user, account_links.RESET_PASSWORD, valid_for)
    link = account_links.url(token)
    hours = valid_for.total_seconds() / 3600
    outbox.enqueue(s, cause=f"reset_password:{token[:24]}", channel="email",
                   recipient=user.email, message=reset_password_email(
                       user.name, user.username, link, "1 hour" if hours == 1 else f"{hours:g} hours"))
    return link


def forgot(email: str, client_address: str | None, browser_session: str | None = None) -> str:
    """'Forgot your password?': the same answer whether or not the address has an account; rate-limited
    per address and per client. Returns the words to show."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        raise InvalidInput("Please enter the email address of your Booking Desk account.", "email") from None
    client = (client_address or "unknown")[:64]
    now = clock.now()
    with unit_of_work(write=True) as s:
        hour_ago = now - timedelta(hours=1)
        by_address = s.scalar(select(func.count()).select_from(ResetRequest)
                              .where(ResetRequest.email == email, ResetRequest.at > hour_ago)) or 0
        by_client = s.scalar(select(func.count()).select_from(ResetRequest)
                             .where(ResetRequest.address == client, ResetRequest.at > hour_ago)) or 0
        if by_address >= PER_ADDRESS_PER_HOUR or by_client >= PER_CLIENT_PER_HOUR:
            trail.record(s, None, AuditAction.PASSWORD_RESET_LIMITED, browser_session=browser_session,
                         detail=f"from {client}")
            limited = True
        else:
            limited = False
            s.add(ResetRequest(email=email, address=client, at=now))
            user = s.scalar(select(User).where(func.lower(User.email) == email, User.active.is_(True))
                            .order_by(User.id).limit(1))
            if user is not None:
                send_reset_link(s, user, account_links.FORGOTTEN_VALID)
            trail.record(s, user.username if user else None, AuditAction.PASSWORD_RESET_REQUESTED,
                         browser_session=browser_session,
                         detail=f"from {client}" + ("" if user else ": no active account uses that address"))
    if limited:
        raise InvalidInput(TOO_MANY)
    return FORGOT_SAYS
