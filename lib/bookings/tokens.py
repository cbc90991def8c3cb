"""Private links for clients: signed, bound to one client and purpose, expiring, revocable.

A token is `<nonce>.<signature>`; the nonce names a stored row (so it can be revoked or
used up), the HMAC stops anyone guessing or altering one.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.core import clock
from lib.core.models import ClientToken
from lib.practice.signing import key_for_links

PURPOSES = ("assessment", "respond")
BAD_LINK = ("This link can't be used. It may have expired or already been used. If you still need help, "
            "please reply to the email you received and the practice will get back to you.")


class BadToken(Exception):
    message = BAD_LINK

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message


def sign(key: str, nonce: str, purpose: str) -> str:
    """The signature part of a link (public for the bulk import, which reads the key once)."""
    mac = hmac.new(key.encode(), f"{purpose}:{nonce}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def issue(s: Session, purpose: str, client_id: int, booking_id: int | None, valid_for: timedelta) -> str:
    assert purpose in PURPOSES
    nonce = secrets.token_urlsafe(24)
    s.add(ClientToken(nonce=nonce, purpose=purpose, client_id=client_id, booking_id=booking_id,
                      expires_at=clock.now() + valid_for, created_at=clock.now()))
    return f"{nonce}.{sign(key_for_links(s), nonce, purpose)}"


@dataclass(frozen=True)
class Grant:
    token_id: int
    client_id: int
    booking_id: int | None


def _genuine(s: Session, token: str | None, purpose: str, lock: bool = False) -> ClientToken:
    """The stored row of a link we really sent (whatever its state), or BadToken."""
    if not token or "." not in token or len(token) > 200:
        raise BadToken()
    nonce, sig = token.rsplit(".", 1)
    if not hmac.compare_digest(sig, sign(key_for_links(s), nonce, purpose)):
        raise BadToken()
    stmt = select(ClientToken).where(ClientToken.nonce == nonce, ClientToken.purpose == purpose)
    row = s.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise BadToken()
    return row


def check(s: Session, token: str | None, purpose: str, lock: bool = False) -> Grant:
    """The client and booking a token grants, or BadToken (one message for every failure)."""
    row = _genuine(s, token, purpose, lock)
    if row.revoked or row.used_at is not None or row.expires_at <= clock.now():
        raise BadToken()
    return Grant(row.id, row.client_id, row.booking_id)


@dataclass(frozen=True)
class SpentLink:
    """A genuine link that no longer works, and why: lets a client's page say something kinder than
    "can't be used" to the person we sent it to (a forged or unknown link still learns nothing)."""
    booking_id: int | None
    used: bool
    revoked: bool


def spent(s: Session, token: str | None, purpose: str) -> SpentLink | None:
    """None for a link that works or was never ours; otherwise what became of it."""
    try:
        row = _genuine(s, token, purpose)
    except BadToken:
        return None
    if not (row.revoked or row.used_at is not None):
        return None
    return SpentLink(row.booking_id, row.used_at is not None, row.revoked)


def use_up(s: Session, grant: Grant) -> None:
    s.get_one(ClientToken, grant.token_id).used_at = clock.now()


def revoke_for_booking(s: Session, booking_id: int, purpose: str) -> None:
    for row in s.scalars(select(ClientToken).where(ClientToken.booking_id == booking_id,
                                                   ClientToken.purpose == purpose, ClientToken.revoked.is_(False))):
        row.revoked = True
