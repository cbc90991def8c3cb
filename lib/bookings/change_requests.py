"""A client's open request for another time, as the therapist's answers see it (kept apart from
lib.bookings.client_changes so lib.bookings.answers can settle a request without an import cycle)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.core.models import ClientChangeRequest

ANSWERS = {"new_time": "A new time was agreed", "offered": "Other times were offered",
           "declined": "Said no, with a message", "cancelled": "The session was cancelled"}


def open_request(s: Session, booking_id: int, lock: bool = False) -> ClientChangeRequest | None:
    stmt = select(ClientChangeRequest).where(ClientChangeRequest.booking_id == booking_id,
                                             ClientChangeRequest.answered_at.is_(None))
    return s.scalar(stmt.with_for_update() if lock else stmt)


def settle(s: Session, booking_id: int, answer: str, username: str, at: datetime,
           message: str | None = None) -> ClientChangeRequest | None:
    """Mark the open request answered (an agreed time, offered times, no, or a cancellation); None if none."""
    assert answer in ANSWERS
    req = open_request(s, booking_id, lock=True)
    if req is not None:
        req.answered_at, req.answered_by, req.answer, req.message = at, username, answer, message
    return req
