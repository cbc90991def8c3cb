"""Staff accounts and signing in: users, failed attempts, sign-in sessions, account links, two-step codes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from lib.core.models.base import Base


class User(Base):
    """A therapist or a practice manager."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))  # therapist | manager
    password_hash: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    phone: Mapped[str | None] = mapped_column(String(32))  # E.164, shown to clients
    sms_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_phone: Mapped[str | None] = mapped_column(String(32))  # E.164, for alerts
    # The alert number the person proved is theirs by texting its code (lib.bookings.sms_replies): replies to alerts
    # are taken only while it equals sms_phone, so a changed number needs proving again.
    sms_verified_phone: Mapped[str | None] = mapped_column(String(32))
    # {"mon": [["09:00", "17:00"]], ...}; empty list = not working that day
    working_hours: Mapped[dict | None] = mapped_column(JSON)
    addresses: Mapped[list | None] = mapped_column(JSON)
    video_services: Mapped[list | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Re-login cookies issued before this instant are refused (logout revokes them).
    sessions_valid_after: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # People, passwords and two-step sign-in (lib.people.staff, lib.people.two_step): None = not yet / not on.
    password_set_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # each code works once


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_user_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)


class SignInSession(Base):
    """One signed-in browser (lib.people.sign_in_sessions): the server's record, so ending it ends the cookie too.

    The re-login cookie (streamlit-authenticator's) carries its expiry time; the session remembers the expiry
    times of the cookies written for it, which is how a cookie finds its session (and nothing else does).
    """

    __tablename__ = "sign_in_sessions"
    __table_args__ = (Index("ix_sign_in_sessions_user", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(24))
    browser: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(64))
    cookie_from: Mapped[float | None] = mapped_column(Float)
    cookie_until: Mapped[float | None] = mapped_column(Float)


class AccountLink(Base):
    """A single-use link for a person: set a first password (24 h) or reset a forgotten one (1 h)."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # set_password | reset_password
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ResetRequest(Base):
    """A "forgot your password?" request, known address or not: what the rate limits count."""

    __tablename__ = "reset_requests"
    __table_args__ = (Index("ix_reset_requests_email", "email", "at"), Index("ix_reset_requests_address", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)


class RecoveryCode(Base):
    """One of a person's ten two-step recovery codes, stored hashed; each works once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(100))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
