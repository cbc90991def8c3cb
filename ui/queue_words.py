"""The dashboard's words that depend on the moment and the reader: the greeting, the due badge, card links."""
from __future__ import annotations

from datetime import datetime, timedelta

from lib.core import clock
from ui import format as fmt

ORDER_NOTE = ("Most urgent first: by when an answer is due, then by how long the client has waited. "
              "An answer is due {target} business hours after the request (the clock stops outside opening hours).")
COUNTDOWN_UNDER = timedelta(hours=2)  # closer than this, the badge counts down ("due in 45 min")


def greeting(hour: int) -> str:
    """Fits the hour: nobody is wished a good evening at 02:33."""
    if 5 <= hour < 12:
        return "Good morning"
    if 12 <= hour < 18:
        return "Good afternoon"
    if 18 <= hour < 23:
        return "Good evening"
    return "Hello"


def _day_word(due: datetime, now: datetime, tz: str) -> str:
    day, today = clock.local(due, tz).date(), clock.local(now, tz).date()
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    t = clock.local(due, tz)
    return f"{t:%a} {t.day} {t:%b}"


def due_badge(due: datetime, starts_at: datetime, now: datetime, tz: str, target_hours: float) -> str:
    """'Due in 45 min' when close; otherwise the clock time and why: 'Due 13:00 tomorrow (4 business hours)'.

    Requests made overnight are all due at the same moment the next day; the business hours say why. A request
    whose session starts before the target is due at its start, which the badge then says instead.
    """
    if due - now < COUNTDOWN_UNDER:
        return fmt.due(due, now).capitalize()
    at = f"{clock.local(due, tz):%H:%M} {_day_word(due, now, tz)}"
    why = "when the session starts" if due >= starts_at else f"{target_hours:g} business hours"
    return f"Due {at} ({why})"


def names(attendees: list[str]) -> str:
    """'Hannah Whitfield', 'Tomás Ferreira and Inês Ferreira', 'Priya Raman and 2 others' (a link stays short)."""
    people = [a for a in attendees if a] or ["the client"]
    if len(people) > 2:
        return f"{people[0]} and {len(people) - 1} others"
    return " and ".join(people)


def possessive(attendees: list[str]) -> str:
    """"Hannah Whitfield's", "James's" (a name ending in s takes 's too), "… and 2 others'"."""
    who = names(attendees)
    return f"{who}'" if who.endswith(" others") else f"{who}'s"


def names_md(attendees: list[str]) -> str:
    return fmt.md_escape(names(attendees))


def open_label(attendees: list[str]) -> str:
    """The card's link says whose request it opens (a page of "Open session" links tells a screen reader nothing)."""
    return f"Open {fmt.md_escape(possessive(attendees))} request"


def details_label(attendees: list[str]) -> str:
    return f"{fmt.md_escape(possessive(attendees))} session"
