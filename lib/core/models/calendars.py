"""The therapist's own calendar: the private feed's token and busy times read from theirs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from lib.core.crypto import EncryptedText
from lib.core.models.base import Base


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
