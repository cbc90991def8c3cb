"""Honest words about messages: what a success message may promise depends on the channels set up."""
from __future__ import annotations

from lib.notify.readiness import email_ready
from ui import format as fmt


def email_line(recipient: str, what: str = "an email") -> str:
    """One sentence for a success message: the email really is on its way, or it really is not.

    `recipient` is who it goes to (escaped here), `what` names the message ("the confirmation email").
    """
    who = fmt.md_escape(recipient)
    if email_ready():
        return f"{what[0].upper()}{what[1:]} to {who} is queued; it usually goes out within a minute."
    return f"Email is not set up on this server, so {who} has **not** been emailed."
