"""Sessions and what happens to them: attendees, history, offered times, the team's worklist, time away,
the kept figures."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lib.core.models.base import Base
from lib.core.vocabulary import BookingStatus

if TYPE_CHECKING:  # relationships name these; SQLAlchemy finds them by name when it configures
    from lib.core.models.clients import Client
    from lib.core.models.people import User


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
        # A therapist's day of requests, which every answer reads to keep the figures (lib.bookings.metric_days).
        Index("ix_bookings_therapist_requested", "therapist_id", "requested_at"),
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
    # Business seconds to the first answer; for a request that expired unanswered, to its expiry
    # (lib.bookings.changes.record_wait_until_expiry).
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


class TimeOffer(Base):
    """Alternative times a therapist offered; busy while the offer is open."""

    __tablename__ = "time_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    open: Mapped[bool] = mapped_column(Boolean, default=True)


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


class MetricDay(Base):
    """One therapist's requests of one UTC day, as the response-time figures need them (lib.bookings.metric_days):
    kept up to date in the transaction that changes a booking or an away period."""

    __tablename__ = "metric_days"

    therapist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    facts: Mapped[str] = mapped_column(Text, default="[]")  # JSON: one list per request (lib.bookings.metric_days.FIELDS)
    digest: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the same, summed up (lib.bookings.metric_digest.digest)

    __table_args__ = (Index("ix_metric_days_day", "day", "therapist_id"),)


class MetricPracticeDay(Base):
    """The whole practice's requests of one UTC day, summed up, in a few parts (lib.bookings.metric_days): what
    the practice-wide figures read, one row per part and day instead of one per therapist and day."""

    __tablename__ = "metric_practice_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)  # therapist id modulo metric_days.PARTS
    digest: Mapped[str] = mapped_column(Text, default="{}")  # JSON: lib.bookings.metric_digest.merged
