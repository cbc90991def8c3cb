"""Single-use links for a person's own account: set a first password (24 h), reset one (1 h from "Forgot your
password?", 24 h when a manager or the command line sends it).

As lib.bookings.tokens for clients: `<nonce>.<signature>`, the nonce names a stored row (so a link is used up or
revoked), the HMAC stops anyone guessing or altering one. Every failure says the same words.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.core import clock, config
from lib.core.errors import InvalidInput
from lib.core.models import AccountLink, User
from lib.practice.signing import key_for_links

SET_PASSWORD, RESET_PASSWORD = "set_password", "reset_password"
FIRST_PASSWORD_VALID = timedelta(hours=24)
FORGOTTEN_VALID = timedelta(hours=1)
SENT_BY_MANAGER_VALID = timedelta(hours=24)
BAD_LINK = ("This link can't be used: it may have expired or been used already. Ask for a new one with "
            "\"Forgot your password?\" on the sign-in page, or ask a practice manager.")


def _sign(key: str, nonce: str) -> str:
    return hmac.new(key.encode(), f"account:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def issue(s: Session, user: User, purpose: str, valid_for: timedelta) -> str:
    """A new link; the person's earlier unused links stop working (only the newest email counts)."""
    for old in s.scalars(select(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None),
                                                   AccountLink.revoked.is_(False))):
        old.revoked = True
    nonce = secrets.token_urlsafe(24)
    s.add(AccountLink(nonce=nonce, purpose=purpose, user_id=user.id, expires_at=clock.now() + valid_for,
                      created_at=clock.now(), revoked=False))
    return f"{nonce}.{_sign(key_for_links(s), nonce)}"


def url(token: str) -> str:
    return f"{config.app_base_url()}/set-password?token={token}"


def revoke_all(s: Session, user: User) -> None:
    for row in s.scalars(select(AccountLink).where(AccountLink.user_id == user.id, AccountLink.revoked.is_(False),
                                                   AccountLink.used_at.is_(None))):
        row.revoked = True


@dataclass(frozen=True)
class LinkFor:
    link_id: int
    user_id: int
    purpose: str


def check(s: Session, token: str | None, lock: bool = False) -> LinkFor:
    """The live link this token is, or InvalidInput(BAD_LINK)."""
    if not token or "." not in token or len(token) > 200:
        raise InvalidInput(BAD_LINK)
    nonce, sig = token.rsplit(".", 1)
    if not hmac.compare_digest(sig, _sign(key_for_links(s), nonce)):
        raise InvalidInput(BAD_LINK)
    stmt = select(AccountLink).where(AccountLink.nonce == nonce)
    row = s.scalar(stmt.with_for_update() if lock else stmt)
    if row is None or row.revoked or row.used_at is not None or row.expires_at <= clock.now():
        raise InvalidInput(BAD_LINK)
    user = s.get(User, row.user_id)
    if user is None or not user.active:
        raise InvalidInput(BAD_LINK)
    return LinkFor(row.id, row.user_id, row.purpose)


def use_up(s: Session, link: LinkFor) -> None:
    s.get_one(AccountLink, link.link_id).used_at = clock.now()
