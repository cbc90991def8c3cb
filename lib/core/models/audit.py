"""The audit trail and the head of its hash chain."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from lib.core.models.base import Base


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
