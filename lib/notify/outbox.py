"""Writing messages to the outbox, inside the caller's transaction."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib import clock
from lib.models import Notification
from lib.notify.templates import Rendered


def message_id_for(dedupe_key: str) -> str:
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}@booking-desk>"


def enqueue(session: Session, *, cause: str, channel: str, recipient: str, message: Rendered,
            booking_id: int | None = None) -> Notification | None:
    """Add one message; a second message for the same cause, recipient and channel is dropped."""
    key = f"{cause}|{channel}|{recipient.lower()}"
    if session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        return None
    now = clock.now()
    row = Notification(
        dedupe_key=key, booking_id=booking_id, channel=channel, template=message.template,
        recipient=recipient, subject=message.subject, body_text=message.text, body_html=message.html,
        ics=message.ics, message_id=message_id_for(key), status="pending", attempts=0,
        created_at=now, next_attempt_at=now,
    )
    session.add(row)
    return row
