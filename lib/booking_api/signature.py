"""The booking channel's signing secret, and checking a request's signature (Standard Webhooks).

The secret is shared: the channel signs with it and we check with it, so it is kept, not hashed.
It comes from BOOKING_CHANNEL_SECRET, or a manager makes one in /settings, where it is shown once.
After a rotation the previous secret is still accepted for GRACE, so the channel can switch over
without refused deliveries; a signature header may carry both (the specification allows several).
"""
from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from standardwebhooks import Webhook, WebhookVerificationError
from standardwebhooks.webhooks import EmptyWebhookSecretError

from lib.audit import trail
from lib.core import clock, config
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.models import ChannelSecret
from lib.core.vocabulary import AuditAction

GRACE = timedelta(hours=24)
PREFIX = "whsec_"


@dataclass(frozen=True)
class SecretStatus:
    """What a manager sees about the secret (never the secret itself, after it was shown once)."""

    from_environment: bool
    created_at: datetime | None
    created_by: str | None
    previous_valid_until: datetime | None


def new_secret() -> str:
    """A `whsec_`-prefixed base64 secret of 32 random bytes, as the specification suggests (24 to 64)."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def rotate(actor: Actor, browser_session: str | None = None) -> str:
    """A manager makes a new secret (the old one, if any, keeps working for GRACE). Returns it, to show once."""
    actor = require_manager(actor)
    secret, now = new_secret(), clock.now()
    with unit_of_work(write=True) as s:
        s.execute(update(ChannelSecret).where(ChannelSecret.retired_at.is_(None)).values(retired_at=now))
        s.add(ChannelSecret(secret=secret, created_at=now, created_by=actor.username))
        trail.record(s, actor.username, AuditAction.CHANNEL_SECRET_ROTATED, browser_session=browser_session,
                     detail="A new booking channel secret was made; the previous one is accepted for 24 hours.")
    return secret


def status(actor: Actor) -> SecretStatus:
    require_manager(actor)
    now = clock.now()
    with unit_of_work() as s:
        current = s.scalar(select(ChannelSecret).where(ChannelSecret.retired_at.is_(None))
                           .order_by(ChannelSecret.id.desc()).limit(1))
        previous = s.scalar(select(ChannelSecret.retired_at).where(ChannelSecret.retired_at > now - GRACE)
                            .order_by(ChannelSecret.retired_at.desc()).limit(1))
    return SecretStatus(bool(config.settings().BOOKING_CHANNEL_SECRET), current.created_at if current else None,
                        current.created_by if current else None, previous and previous + GRACE)


def _webhooks(s) -> list[Webhook]:
    now = clock.now()
    keys = [config.settings().BOOKING_CHANNEL_SECRET]
    keys += s.scalars(select(ChannelSecret.secret).where(
        or_(ChannelSecret.retired_at.is_(None), ChannelSecret.retired_at > now - GRACE))).all()
    found = []
    for key in keys:
        try:
            if key:
                found.append(Webhook(key))
        except (EmptyWebhookSecretError, ValueError):  # a mistyped BOOKING_CHANNEL_SECRET signs nothing
            continue
    return found


def signature_problem(s, body: bytes, headers: Mapping[str, str]) -> str | None:
    """None when the request is signed with a current secret and its timestamp is within 5 minutes of now;
    otherwise why not (for the audit trail only: the caller is told nothing)."""
    webhooks = _webhooks(s)
    if not webhooks:
        return "no booking channel secret is set up"
    headers = {k.lower(): v for k, v in headers.items()}
    reason = "missing webhook headers"
    for webhook in webhooks:
        try:
            webhook.verify(body, headers, json_parse=False)
            return None
        except WebhookVerificationError as exc:
            reason = str(exc)  # the timestamp is checked first, so it reads the same for every secret
    return reason
