"""Clients and their relationship with a therapist: the self-assessment, private links, changes they ask for."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lib.core.crypto import EncryptedJSON, EncryptedText
from lib.core.models.base import Base

if TYPE_CHECKING:  # relationships name these; SQLAlchemy finds them by name when it configures
    from lib.core.models.people import User


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


class ErasureFollowUp(Base):
    """A message to an erased client that had to go out first (their cancellation): lib.lifecycle.erasure blanks it
    once it has left the outbox."""

    __tablename__ = "erasure_follow_ups"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), primary_key=True)
