"""Honest words about messages: what a success message may promise depends on the channels set up."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from lib.core.vocabulary import Channel
from lib.notify.readiness import email_ready, sms_ready
from ui import format as fmt

CHANNEL_NAMES = Channel.labels()  # as in "Email is not set up on this server"
_NOUNS = {"email": ("email", "emails"), "sms": ("text message", "text messages")}


def email_line(recipient: str, what: str = "an email") -> str:
    """One sentence for a success message: the email really is on its way, or it really is not.

    `recipient` is who it goes to (escaped here), `what` names the message ("the confirmation email").
    """
    who = fmt.md_escape(recipient)
    if email_ready():
        return f"{what[0].upper()}{what[1:]} to {who} is queued; it usually goes out within a minute."
    return f"Email is not set up on this server, so {who} has **not** been emailed."


def sms_line(recipient: str, what: str = "a text message") -> str:
    """As email_line, for a text message."""
    who = fmt.md_escape(recipient)
    if sms_ready():
        return f"{what[0].upper()}{what[1:]} to {who} is queued; it usually goes out within a minute."
    return f"SMS is not set up on this server, so {who} has **not** been sent a text message."


def ready(channel: str) -> bool:
    return sms_ready() if channel == "sms" else email_ready()


def missing(channels: Iterable[str] = ("email", "sms")) -> list[str]:
    """The channels among `channels` that this server can't send on, in a fixed order (email first)."""
    wanted = set(channels)
    return [c for c in CHANNEL_NAMES if c in wanted and not ready(c)]


def not_set_up(channels: list[str]) -> str:
    """'Email is not set up on this server' / 'Email and SMS are not set up on this server'."""
    names = " and ".join(CHANNEL_NAMES[c] for c in channels)
    return f"{names} {'is' if len(channels) == 1 else 'are'} not set up on this server"


def _count(n: int, channels: set[str]) -> str:
    """'1 email', '2 text messages', '3 messages' (more than one channel)."""
    one, many = _NOUNS[next(iter(channels))] if len(channels) == 1 else ("message", "messages")
    return f"{n} {one if n == 1 else many}"


def messages_line(channels: Iterable[str], recipients: str) -> str:
    """What happened to the messages just written, one channel per message (e.g. ["email", "email", "sms"]).

    `recipients` says who they go to, as markdown the caller has escaped ("Zoë Lambert and the client").
    Messages on a channel that is set up are queued; the others are said plainly to be **not** sent.
    """
    counts = Counter(channels)
    if not counts:
        return "No messages were needed."
    going = {c for c in counts if ready(c)}
    held = [c for c in CHANNEL_NAMES if c in counts and c not in going]
    parts = []
    if going:
        n = sum(counts[c] for c in going)
        parts.append(f"{_count(n, going)} to {recipients} {'is' if n == 1 else 'are'} queued; "
                     f"{'it usually goes' if n == 1 else 'they usually go'} out within a minute.")
    if held:
        n = sum(counts[c] for c in held)
        to = "" if going else f" to {recipients}"
        which = f"the {_count(n, set(held)).split(' ', 1)[1]}" if n == 1 else f"these {_count(n, set(held))}"
        parts.append(f"{not_set_up(held)}, so {which}{to} "
                     f"{'has' if n == 1 else 'have'} **not** been sent; {'it is' if n == 1 else 'they are'} "
                     "kept in the outbox.")
    return " ".join(parts)


def held_note(channels: Iterable[str] = ("email", "sms")) -> str | None:
    """For a count of messages whose channels aren't known one by one (an import): which of them stay unsent.

    None when every channel is set up.
    """
    off = missing(channels)
    if not off:
        return None
    what = " and ".join({"email": "emails", "sms": "text messages"}[c] for c in off)
    return f"{not_set_up(off)}, so the {what} among them are kept in the outbox and **not** sent."
