"""Signing in: users, password hashes, lockouts after failed attempts. (Who may do what: lib.core.access.)"""
from __future__ import annotations

from datetime import timedelta

import bcrypt
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lib.audit import trail
from lib.core import clock, config
from lib.core.access import ROLES, Actor
from lib.core.contacts import normalise_email
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import LoginFailure, User
from lib.core.vocabulary import AuditAction
from lib.people.passwords import check_new_password

LOCK_AFTER_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)


def hash_password(password: str) -> str:
    # Tests lower the cost (BOOKING_DESK_BCRYPT_ROUNDS=4); production keeps bcrypt's 12.
    rounds = config.settings().BOOKING_DESK_BCRYPT_ROUNDS
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def actor_for(username: str | None) -> Actor | None:
    if not username:
        return None
    with unit_of_work() as s:
        user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
        return _actor(user) if user else None


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username, user.name, user.role, user.timezone)


def credentials(username: str | None = None) -> dict:
    """The dict streamlit-authenticator wants (active users only; one user when named)."""
    with unit_of_work() as s:
        stmt = select(User).where(User.active.is_(True))
        if username:
            stmt = stmt.where(User.username == username)
        users = s.scalars(stmt).all()
        return {
            "usernames": {
                u.username: {"name": u.name, "email": u.email, "password": u.password_hash, "roles": [u.role]}
                for u in users
            }
        }


def add_user(session: Session, username: str, name: str, email: str, role: str, password: str,
             timezone: str = "Europe/London", check_password: bool = True, **extra) -> User:
    username = (username or "").strip().lower()
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("A username may use letters, digits, '.', '-' and '_'.", "username")
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.", "role")
    if check_password:
        check_new_password(password, (username, name, email))
    extra.setdefault("password_set_at", clock.now())  # None: invited, no password chosen yet (lib.people.staff)
    if session.scalar(select(User.id).where(User.username == username)):
        raise InvalidInput(f"There is already a user called {username}.", "username")
    user = User(
        username=username, name=name.strip() or username, email=normalise_email(email), role=role,
        password_hash=hash_password(password), timezone=timezone, created_at=clock.now(), **extra,
    )
    session.add(user)
    session.flush()
    return user


# --- login throttling (in the database, so it holds across servers and restarts) ---

def is_locked(username: str) -> bool:
    with unit_of_work() as s:
        return _recent_failures(s, username) >= LOCK_AFTER_FAILURES


def _recent_failures(s: Session, username: str) -> int:
    since = clock.now() - LOCK_WINDOW
    return s.scalar(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.username == username.lower(), LoginFailure.at >= since)
    ) or 0


def record_login_failure(username: str, browser_session: str | None = None, action: AuditAction = AuditAction.LOGIN_FAILED) -> bool:
    """Count a failure (a wrong password or two-step code); True when this failure locks the username."""
    username = (username or "").strip().lower()[:64]
    if not username:
        return False
    with unit_of_work(write=True) as s:
        s.add(LoginFailure(username=username, at=clock.now()))
        s.flush()
        locked = _recent_failures(s, username) >= LOCK_AFTER_FAILURES
        trail.record(s, username, AuditAction.LOGIN_LOCKED if locked else action, browser_session=browser_session)
        return locked


def record_login(username: str, browser_session: str | None = None) -> None:
    with unit_of_work(write=True) as s:
        s.execute(delete(LoginFailure).where(LoginFailure.username == username.lower()))
        trail.record(s, username, AuditAction.LOGIN, browser_session=browser_session)


def record_logout(username: str, browser_session: str | None = None) -> None:
    """Audit a logout (the sign-in session itself is ended by lib.people.sign_in_sessions; other browsers stay)."""
    with unit_of_work(write=True) as s:
        trail.record(s, username, AuditAction.LOGOUT, browser_session=browser_session)


_DUMMY_HASH = bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds=12))
WRONG_LOGIN = "That username and password don't match. Please try again."
WRONG_CODE = "That code isn't right (or was used already). Type the 6-digit code your app shows now, or a recovery code."
LOCKED_LOGIN = ("Too many failed attempts. For your clients' safety this login is paused for 15 minutes; "
                "please try again later or ask a practice manager.")


def verify_login(username: str, password: str, browser_session: str | None = None, record: bool = True) -> Actor:
    """Check a login; raises InvalidInput with a message that never says whether the user exists.

    `record=False`: the password was right but signing in has more steps (two-step sign-in); the sign-in is
    recorded when the session starts (lib.people.sign_in_sessions.start)."""
    username = (username or "").strip().lower()
    if not username or not password:
        raise InvalidInput("Please enter your username and password.")
    if is_locked(username):
        record_login_failure(username, browser_session)
        raise InvalidInput(LOCKED_LOGIN)
    with unit_of_work() as s:
        user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
        stored = user.password_hash.encode() if user else _DUMMY_HASH
    ok = bcrypt.checkpw(password.encode(), stored) and user is not None
    if not ok or user is None:  # ok means a user
        locked = record_login_failure(username, browser_session)
        raise InvalidInput(LOCKED_LOGIN if locked else WRONG_LOGIN)
    if record:
        record_login(username, browser_session)
    return _actor(user)
