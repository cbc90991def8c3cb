"""The messages a new booking causes, as rows for a bulk insert: what intake.notify_new_booking writes.

For each booking: the client's private self-assessment link (a stored, signed token) and the
email carrying it, the therapist's email, and a text if the therapist opted in. The key is
read once per import instead of once per link; the rows, templates and de-duplication keys
are those of lib.tokens and lib.notify.outbox.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy.orm import Session

from lib import config
from lib.bookings import facts_for
from lib.client_links import ASSESSMENT_VALID_FOR
from lib.errors import InvalidInput
from lib.models import User
from lib.notify import outbox, templates
from lib.signing import key_for_links


class NewBookingNotices:
    def __init__(self, s: Session):
        try:
            self._mac = hmac.new(key_for_links(s).encode(), digestmod=hashlib.sha256)
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
        facts = facts_for(booking)
        nonce = secrets.token_urlsafe(24)
        token = dict(nonce=nonce, purpose="assessment", client_id=client.id, booking_id=booking_id,
                     expires_at=now + ASSESSMENT_VALID_FOR, used_at=None, revoked=False, created_at=now)
        assessment_link = f"{self._base}/assessment?token={nonce}.{self._sign(nonce, 'assessment')}"
        link = f"{self._base}/session?id={booking_id}"
        due = values["response_due_at"]
        rows = [
            _outbox_row(f"received:{booking_id}", "email", client.email, booking_id, now,
                        templates.booking_received_email(facts, assessment_link)),
            _outbox_row(f"new_booking:{booking_id}", "email", therapist.email, booking_id, now,
                        templates.new_booking_email(facts, therapist.timezone, due, link)),
        ]
        if therapist.sms_opt_in and therapist.sms_phone:
            rows.append(_outbox_row(f"new_booking:{booking_id}", "sms", therapist.sms_phone, booking_id, now,
                                    templates.new_booking_sms(facts, therapist.timezone, due, link)))
        return token, rows

    def _sign(self, nonce: str, purpose: str) -> str:
        # As lib.tokens signs a link (tests check an imported link opens the assessment).
        mac = self._mac.copy()  # the keyed state, computed once
        mac.update(f"{purpose}:{nonce}".encode())
        return mac.hexdigest()[:32]


def _outbox_row(cause: str, channel: str, recipient: str, booking_id: int, now: datetime,
                message: templates.Rendered) -> dict:
    """One row as outbox.enqueue writes it (a brand-new booking id can't have a message yet)."""
    key = f"{cause}|{channel}|{recipient.lower()}"
    return dict(dedupe_key=key, booking_id=booking_id, channel=channel, template=message.template,
                recipient=recipient, subject=message.subject, body_text=message.text, body_html=message.html,
                ics=message.ics, message_id=outbox.message_id_for(key), status="pending", attempts=0,
                last_error=None, created_at=now, next_attempt_at=now, sent_at=None, provider_id=None)
