"""The messages a new booking causes, as rows for a bulk insert: what intake.notify_new_booking writes.

For each booking: the client's private self-assessment link (a stored, signed token) and the
email carrying it, the therapist's email, and a text if the therapist opted in. The messages
come from intake.new_booking_messages and the rows from outbox.row_values, so both paths write
the same; only the signing key is read once per import instead of once per link.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy.orm import Session

from lib.bookings.changes import facts_for
from lib.bookings.client_links import ASSESSMENT_VALID_FOR
from lib.bookings.intake import new_booking_messages
from lib.bookings.tokens import sign
from lib.core import config
from lib.core.errors import InvalidInput
from lib.core.models import User
from lib.notify import outbox
from lib.practice.signing import key_for_links


class NewBookingNotices:
    def __init__(self, s: Session):
        try:
            self._key = key_for_links(s)  # read once per import, not once per link
        except RuntimeError as exc:  # no BOOKING_DESK_SECRET: client links can't be signed
            raise InvalidInput(str(exc)) from None
        self._base = config.app_base_url()

    def for_booking(self, values: dict, therapist: User, client, attendees: list[str],
                    now: datetime) -> tuple[dict, list[dict]]:
        """(the assessment-link token row, the outbox rows) for one booking; `values` is its row."""
        booking_id = values["id"]
        booking = SimpleNamespace(
            therapist=therapist, attendees=[SimpleNamespace(name=n) for n in attendees],
            client=SimpleNamespace(name=client.name, email=client.email, timezone=client.timezone), **values)
        facts = facts_for(booking)  # type: ignore[arg-type]  # a stand-in with a Booking's attributes
        nonce = secrets.token_urlsafe(24)
        token = dict(nonce=nonce, purpose="assessment", client_id=client.id, booking_id=booking_id,
                     expires_at=now + ASSESSMENT_VALID_FOR, used_at=None, revoked=False, created_at=now)
        assessment_link = f"{self._base}/assessment?token={nonce}.{sign(self._key, nonce, 'assessment')}"
        rows = [outbox.row_values(cause=cause, channel=channel, recipient=recipient, message=message,
                                  booking_id=booking_id, now=now)
                for cause, channel, recipient, message
                in new_booking_messages(booking, facts, assessment_link, self._key)]
        return token, rows
