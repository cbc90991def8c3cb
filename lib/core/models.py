"""Database models: one table per thing the practice talks about.

Times are stored as naive UTC datetimes (SQLite has no time zones); `lib.core.clock`
converts at the edges.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lib.core.crypto import EncryptedJSON, EncryptedText
from lib.core.vocabulary import AuditAction, BookingStatus, Channel, Delivery, EventKind, MessageStatus, SessionType


class Base(DeclarativeBase):
    pass


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


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when the client's record was erased (on request or at the end of retention): lib.lifecycle.erasure.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)


class Relationship(Base):
    """A therapist working (or asked to work) with a client; the assessment hangs off it."""

    __tablename__ = "relationships"
    __table_args__ = (UniqueConstraint("therapist_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)

    therapist: Mapped[User] = relationship()
    client: Mapped[Client] = relationship()
    assessment: Mapped[Assessment | None] = relationship(back_populates="relationship_")


class Assessment(Base):
    """The client's self-assessment: PHQ-9 and GAD-7 answers (0-3 or missing), encrypted at rest (lib.core.crypto)."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(ForeignKey("relationships.id"), unique=True)
    phq9: Mapped[list] = mapped_column(EncryptedJSON, default=list)  # 9 items, None = unanswered
    gad7: Mapped[list] = mapped_column(EncryptedJSON, default=list)  # 7 items
    help_with: Mapped[list] = mapped_column(EncryptedJSON, default=list)  # issue labels
    free_text: Mapped[str | None] = mapped_column(EncryptedText)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)

    relationship_: Mapped[Relationship] = relationship(back_populates="assessment")


class Booking(Base):
    """One therapy session ("session" on screen)."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_queue", "status", "therapist_id", "response_due_at"),
        Index("ix_bookings_status_due", "status", "response_due_at"),
        Index("ix_bookings_calendar", "therapist_id", "status", "starts_at"),
        Index("ix_bookings_status_start", "status", "starts_at"),  # a manager's week, every therapist
        # Covering index for the response-time figures: the metrics query reads bookings from it alone.
        Index("ix_bookings_metrics", "requested_at", "therapist_id", "session_type", "status", "first_response_at",
              "response_business_seconds", "response_due_at", "expires_at"),
        Index("ix_bookings_dedupe", "therapist_id", "client_id", "starts_at"),
        Index("ix_bookings_relationship", "relationship_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    relationship_id: Mapped[int] = mapped_column(ForeignKey("relationships.id"))
    session_type: Mapped[str] = mapped_column(String(16))  # SessionType
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=50)
    delivery: Mapped[str] = mapped_column(String(16))  # Delivery
    video_service: Mapped[str | None] = mapped_column(String(200))
    join_details: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=BookingStatus.UNCONFIRMED)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    requested_by: Mapped[str] = mapped_column(String(64), default="client")
    response_due_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Filled at the therapist's first answer, so metrics never recompute it from events.
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime)
    response_business_seconds: Mapped[int | None] = mapped_column(Integer)
    reassigned_from_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id])
    client: Mapped[Client] = relationship()
    attendees: Mapped[list[Attendee]] = relationship(
        order_by="Attendee.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Attendee(Base):
    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))


class BookingEvent(Base):
    """The history of a booking; the audit trail and metrics read it."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # EventKind
    actor: Mapped[str] = mapped_column(String(64))  # username, "client" or "system"
    at: Mapped[datetime] = mapped_column(DateTime)
    detail: Mapped[dict | None] = mapped_column(JSON)


class Notification(Base):
    """The outbox: a message written with the change that causes it, sent later."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # Channel
    template: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    provider_id: Mapped[str | None] = mapped_column(String(100))


class AuditEntry(Base):
    """Append-only: who looked at or changed what. Never clinical content.

    Hash-chained (lib.audit.chain): `seq` is the entry's place in the chain and `hash` covers its content
    and the previous entry's hash, so an edited, removed or reordered entry shows in `audit verify`."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    booking_id: Mapped[int | None] = mapped_column(Integer)
    client_id: Mapped[int | None] = mapped_column(Integer, index=True)
    browser_session: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(500))
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)  # these three: None until sealed
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """The last entry of the audit chain (one row): appends lock it, so entries chain one after another,
    and `audit verify` notices entries removed from the end."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class MetricDay(Base):
    """One therapist's requests of one UTC day, as the response-time figures need them (lib.bookings.metric_days):
    kept up to date in the transaction that changes a booking or an away period."""

    __tablename__ = "metric_days"

    therapist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    facts: Mapped[str] = mapped_column(Text, default="[]")  # JSON: one list per request (lib.bookings.metric_days.FIELDS)
    digest: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the same, summed up (lib.bookings.metric_days.digest)

    __table_args__ = (Index("ix_metric_days_day", "day", "therapist_id"),)


class ErasureFollowUp(Base):
    """A message to an erased client that had to go out first (their cancellation): lib.lifecycle.erasure blanks it
    once it has left the outbox."""

    __tablename__ = "erasure_follow_ups"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), primary_key=True)


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_user_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)


class ClientToken(Base):
    """A private link for a client (assessment or respond); stored so it can be revoked."""

    __tablename__ = "client_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TimeOffer(Base):
    """Alternative times a therapist offered; busy while the offer is open."""

    __tablename__ = "time_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    open: Mapped[bool] = mapped_column(Boolean, default=True)


class PracticeSetting(Base):
    """Key/value practice settings (business hours, holidays, target, expiry schedule)."""

    __tablename__ = "practice_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)


class TeamTask(Base):
    """A request that needs the practice team ("Needs the practice team" on the managers' dashboard).

    Opened in the same transaction as its cause; it leaves the list only when a person closes it with a
    recorded outcome (reassigned, contacted the client, closed with a reason): nothing leaves by itself.
    """

    __tablename__ = "team_tasks"
    __table_args__ = (
        Index("ix_team_tasks_open", "closed_at", "opened_at"),
        Index("ix_team_tasks_booking", "booking_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    reason: Mapped[str] = mapped_column(String(24))  # lib.bookings.worklist.Reason
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(16))  # lib.bookings.worklist.Outcome
    note: Mapped[str | None] = mapped_column(Text)


class ChannelDelivery(Base):
    """A booking the booking channel delivered through the API, by its `webhook-id` (Standard Webhooks).

    The unique webhook id makes a retried delivery a replay, on every app server: the row is written in
    the transaction that creates the booking, so a second server finds it or fails to insert it.
    """

    __tablename__ = "channel_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(200), unique=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)


class ChannelSecret(Base):
    """The booking channel's signing secret, made by a manager in /settings (BOOKING_CHANNEL_SECRET also works).

    A rotated secret stays valid until `retired_at` plus a grace period, so the channel can switch over.
    """

    __tablename__ = "channel_secrets"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)


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


class ClientChangeRequest(Base):
    """A client's "ask for another time" from their session link: open until the therapist answers it
    (an agreed new time, other times offered, or no with a message). The session stays booked meanwhile."""

    __tablename__ = "client_change_requests"
    __table_args__ = (Index("ix_client_change_requests_open", "booking_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    preferred: Mapped[list] = mapped_column(JSON, default=list)  # up to three ISO times (naive UTC)
    note: Mapped[str | None] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answer: Mapped[str | None] = mapped_column(String(16))  # new_time | offered | declined | cancelled
    message: Mapped[str | None] = mapped_column(Text)  # the therapist's words when saying no


class AwayPeriod(Base):
    """A therapist's leave: new requests meanwhile go to the practice team (lib.bookings.away)."""

    __tablename__ = "away_periods"
    __table_args__ = (Index("ix_away_periods_therapist", "therapist_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC, inclusive
    ends_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC, exclusive
    note: Mapped[str | None] = mapped_column(Text)  # for the practice team, never shown to clients
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TherapistCalendar(Base):
    """A therapist's calendar links (lib.calendars.feed, lib.calendars.busy): the private feed of their sessions
    (only a SHA-256 of its random token is kept) and the secret address of their own calendar (encrypted),
    read for busy times, with when it was last read and why it failed, in plain words."""

    __tablename__ = "therapist_calendars"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_token_made_at: Mapped[datetime | None] = mapped_column(DateTime)
    feed_read_at: Mapped[datetime | None] = mapped_column(DateTime)  # last read by a calendar app (±5 min)
    busy_url: Mapped[str | None] = mapped_column(EncryptedText)
    busy_saved_at: Mapped[datetime | None] = mapped_column(DateTime)
    busy_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)  # last successful read
    busy_tried_at: Mapped[datetime | None] = mapped_column(DateTime)  # last read, good or not
    busy_error: Mapped[str | None] = mapped_column(String(300))  # the last try's failure, plain words
    busy_next_at: Mapped[datetime | None] = mapped_column(DateTime)  # when the next read is due
    busy_count: Mapped[int] = mapped_column(Integer, default=0)


class CalendarBusy(Base):
    """A busy interval from a therapist's own calendar: start and end only, never a title or anything else."""

    __tablename__ = "calendar_busy"
    __table_args__ = (Index("ix_calendar_busy_user", "user_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)


def _one_of(vocabulary: type):
    def check(_target, value, _old, _initiator):
        return vocabulary(value)  # a word outside the product's vocabulary is a bug: refused before it is stored
    return check


# Stored words are checked against their enum (lib.core.vocabulary) whenever a model sets them.
for _column, _vocabulary in ((Booking.status, BookingStatus), (Booking.session_type, SessionType),
                             (Booking.delivery, Delivery), (BookingEvent.kind, EventKind),
                             (Notification.channel, Channel), (Notification.status, MessageStatus),
                             (AuditEntry.action, AuditAction)):
    event.listen(_column, "set", _one_of(_vocabulary), retval=True)
