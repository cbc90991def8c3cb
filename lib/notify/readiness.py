"""Which delivery channels this server can use: what every "the client will be emailed" sentence rests on.

A message is always written to the outbox; whether it leaves the building depends on these settings.
"""
from __future__ import annotations

from lib.notify.email_channel import SmtpSettings
from lib.notify.sms_channel import TwilioSettings


def email_ready() -> bool:
    """True when SMTP_HOST is set, so queued emails are sent (by this server's dispatcher or `lib dispatch`)."""
    return SmtpSettings.from_config() is not None


def sms_ready() -> bool:
    """True when TWILIO_ACCOUNT_SID is set, so queued SMS are sent."""
    return TwilioSettings.from_config() is not None
