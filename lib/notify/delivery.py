"""What a channel is handed and what it may answer: the small interface between dispatcher and providers.

A channel either returns (delivered, with the provider's id if any) or raises one of the two
failures below; the dispatcher decides from that alone whether to retry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Outgoing:
    """One claimed outbox row, detached from the database while it is on the wire."""

    id: int
    channel: str
    recipient: str
    subject: str | None
    body_text: str
    body_html: str | None
    ics: str | None
    message_id: str
    attempts: int
    created_at: datetime  # when the message was written: its Date header


class DeliveryFailure(Exception):
    """A message did not go out; `reason` is shown to managers on /outbox."""

    permanent = False

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:1000]


class TemporaryFailure(DeliveryFailure):
    """Worth trying again later: connection refused, timeout, SMTP 4xx, Twilio 5xx or 429."""


class PermanentFailure(DeliveryFailure):
    """Trying again won't help: recipient refused (SMTP 5xx), invalid number (Twilio 4xx), bad address."""

    permanent = True


class ChannelDown(TemporaryFailure):
    """The provider can't be reached at all: the rest of the batch waits too, without trying each."""


NOT_CONFIGURED = "not sent — channel not configured"
