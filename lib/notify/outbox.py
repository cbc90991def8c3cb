"""Writing messages to the outbox, inside the caller's transaction."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.core import clock
from lib.core.models import Notification
from lib.core.vocabulary import MessageStatus
from lib.notify.templates import Rendered


def message_id_for(dedupe_key: str) -> str:
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}@booking-desk>"


def dedupe_key(cause: str, channel: str, recipient: str) -> str:
    return f"{cause}|{channel}|{recipient.lower()}"


def row_values(*, cause: str, channel: str, recipient: str, message: Rendered, booking_id: int | None,
               now) -> dict:
    """The column values of one outbox row (enqueue adds it; the bulk import inserts many)."""
    key = dedupe_key(cause, channel, recipient)
    return dict(dedupe_key=key, booking_id=booking_id, channel=channel, template=message.template,
                recipient=recipient, subject=message.subject, body_text=message.text, body_html=message.html,
                ics=message.ics, message_id=message_id_for(key), status=MessageStatus.PENDING, attempts=0, last_error=None,
                created_at=now, next_attempt_at=now, sent_at=None, provider_id=None)


def enqueue(session: Session, *, cause: str, channel: str, recipient: str, message: Rendered,
            booking_id: int | None = None) -> Notification | None:
    """Add one message; a second message for the same cause, recipient and channel is dropped."""
    if session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key(cause, channel, recipient))):
        return None
    row = Notification(**row_values(cause=cause, channel=channel, recipient=recipient, message=message,
                                    booking_id=booking_id, now=clock.now()))
    session.add(row)
    return row


def enqueue_each(session: Session, *, cause: str, recipients: list[str], message: Rendered,
                 booking_id: int | None = None, channel: str = "email") -> int:
    """The same message to several people (the practice managers); returns how many were added."""
    return sum(1 for r in recipients if enqueue(session, cause=cause, channel=channel, recipient=r,
                                                 message=message, booking_id=booking_id))
