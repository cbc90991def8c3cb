"""The practice's stored settings and its booking channel: delivered bookings, signing secrets."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from lib.core.models.base import Base


class PracticeSetting(Base):
    """Key/value practice settings (business hours, holidays, target, expiry schedule)."""

    __tablename__ = "practice_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)


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
