"""The client's own link to their session (/my-session?token=…): signed, tied to one session and its
client, valid until the session starts.

Nothing is stored: the link is `<booking id>.<valid until, epoch seconds>.<signature>`, so every client email
about the session can carry it (lib.bookings.dashboard.facts_for adds it) without writing anything, and opening it
changes nothing. A moved session's emails carry a new link; an older one still works until the time it was
issued for, and always shows the session as it is now.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from lib.bookings.tokens import BadToken, sign
from lib.core import clock, config
from lib.practice.signing import key_for_links

PURPOSE = "session"
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class SessionGrant:
    booking_id: int
    client_id: int
    valid_until: datetime  # naive UTC

    @property
    def expired(self) -> bool:
        return clock.now() >= self.valid_until


def _nonce(booking_id: int, client_id: int, until: int) -> str:
    return f"{booking_id}-{client_id}-{until}"


def token_for(booking_id: int, client_id: int, starts_at: datetime, session=None) -> str:
    until = int((starts_at - _EPOCH).total_seconds())
    return f"{booking_id}.{client_id}.{until}.{sign(key_for_links(session), _nonce(booking_id, client_id, until), PURPOSE)}"


def url_for(booking_id: int, client_id: int, starts_at: datetime, session=None) -> str:
    return f"{config.app_base_url()}/my-session?token={token_for(booking_id, client_id, starts_at, session)}"


def check(token: str | None, session=None) -> SessionGrant:
    """What a genuine link grants (its owner may be told that the session has started); BadToken, one kind
    message, for anything tampered or unknown."""
    try:
        booking_part, client_part, until_part, sig = (token or "").split(".")
        booking_id, client_id, until = int(booking_part), int(client_part), int(until_part)
    except ValueError:
        raise BadToken() from None
    if not hmac.compare_digest(sig, sign(key_for_links(session), _nonce(booking_id, client_id, until), PURPOSE)):
        raise BadToken()
    return SessionGrant(booking_id, client_id, _EPOCH + timedelta(seconds=until))
