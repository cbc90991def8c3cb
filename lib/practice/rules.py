"""Practice-wide settings (stored in the database, with sensible defaults)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from lib.core.db import unit_of_work
from lib.core.kept import kept_for
from lib.core.models import PracticeSetting
from lib.practice.business_hours import DEFAULT_WEEK, BusinessCalendar, add_business_seconds

# Lead time (request to start) → when an unanswered request expires. From DESIGN.md; the last step counts
# business hours (16: two working days), and Rules.expires_at never lets a step cut in before the managers' chance.
DEFAULT_EXPIRY_SCHEDULE = [
    {"lead_under_hours": 6, "hours_before_start": 0},
    {"lead_under_hours": 12, "hours_before_start": 2},
    {"lead_under_hours": 24, "hours_before_start": 6},
    {"lead_under_hours": 48, "hours_before_start": 12},
    {"lead_under_hours": 72, "hours_before_start": 36},
    {"lead_under_hours": None, "business_hours_after_request": 16},
]

# Managers get this much business time after the escalation (at the due time) to act before a request expires.
ESCALATION_GRACE_HOURS = 4
# A schedule stored before business hours counted "hours_after_request" in calendar days: each 24 h of it
# is read as one working day of this many business hours (the old default 48 becomes the new 16).
WORKING_DAY_HOURS = 8

DEFAULTS = {
    "timezone": "Europe/London",
    "business_hours": DEFAULT_WEEK,
    "holiday_country": "GB",
    "holiday_subdiv": "ENG",
    "response_target_hours": 4,
    "minimum_notice_hours": 24,  # offered and agreed new times start at least this far ahead
    "expiry_schedule": DEFAULT_EXPIRY_SCHEDULE,
    "practice_name": "Booking Desk Practice",
    "practice_logo": None,  # a small PNG/JPEG as a data: address, shown on the clients' pages (lib.practice.brand)
    "demo_data": False,  # set only by the demo seed
    "two_step_required": "nobody",  # nobody | managers | everyone (lib.practice.sign_in_rules)
    "session_lifetime_hours": 12,  # a sign-in ends this long after it began, however busy (lib.practice.sign_in_rules)
    "retention_years": 7,  # client records are erased this long after their last session (lib.lifecycle.retention)
    "retention_last_run": None,  # the day the retention step last ran (ISO date)
}


_STORED = select(PracticeSetting.key, PracticeSetting.value)  # plain rows: read on every page of figures


def get_all(session: Session | Connection) -> dict:
    stored = {key: value["v"] for key, value in session.execute(_STORED)}
    return {**DEFAULTS, **stored}


# The figures page reads the settings on every view, though they change a few times a year: it keeps them
# for a few seconds per database (they are the practice's rules, never a client's data).
KEEP_SECONDS = 10.0


@kept_for(KEEP_SECONDS, key=lambda conn, url: url)
def recent(conn: Session | Connection, url: str) -> tuple[dict, str]:
    """The settings, read at most every KEEP_SECONDS on this server, with a fingerprint for cache keys."""
    settings = get_all(conn)
    return settings, json.dumps(settings, sort_keys=True, default=str)


def forget() -> None:
    """A setting changed on this server: read them again next time."""
    recent.cache_clear()


DEMO_MARKER = "demo_data"  # written only by the demo seed (lib.demo.seed)


def demo_in_use(session: Session | None = None) -> bool:
    """The demo practice is in use (optionally seen from inside an open transaction).

    A marker only the demo seed writes: users who happen to be called alice, bob or morgan don't count.
    """
    if session is not None:
        return bool(get_all(session).get(DEMO_MARKER))
    with unit_of_work() as s:
        return bool(get_all(s).get(DEMO_MARKER))


def set_value(session: Session, key: str, value) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    forget()
    row = session.get(PracticeSetting, key)
    if row is None:
        session.add(PracticeSetting(key=key, value={"v": value}))
    else:
        row.value = {"v": value}


class Rules:
    """The practice's timing rules, loaded once per unit of work."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.calendar = BusinessCalendar.from_settings(
            settings["timezone"], settings["business_hours"],
            settings["holiday_country"], settings["holiday_subdiv"],
        )
        self.target_hours = float(settings["response_target_hours"])
        self.schedule = settings["expiry_schedule"]
        self.minimum_notice = timedelta(hours=float(settings["minimum_notice_hours"]))

    @classmethod
    def load(cls, session: Session) -> Rules:
        return cls(get_all(session))

    def expires_at(self, requested_at: datetime, starts_at: datetime) -> datetime:
        """The schedule's cut-off, moved later to the end of the managers' chance, never after the start."""
        managers_chance = add_business_seconds(
            requested_at, (self.target_hours + ESCALATION_GRACE_HOURS) * 3600, self.calendar)
        return min(starts_at, max(self._scheduled_cut_off(requested_at, starts_at), managers_chance))

    def response_due_at(self, requested_at: datetime, starts_at: datetime) -> datetime:
        # The expiry is never before the due time, except when the session starts first.
        due = add_business_seconds(requested_at, self.target_hours * 3600, self.calendar)
        return min(due, starts_at)

    def _scheduled_cut_off(self, requested_at: datetime, starts_at: datetime) -> datetime:
        lead_hours = (starts_at - requested_at).total_seconds() / 3600
        for step in self.schedule:
            limit = step.get("lead_under_hours")
            if limit is None or lead_hours < limit:
                after = business_hours_after_request(step)
                if after is not None:
                    return add_business_seconds(requested_at, after * 3600, self.calendar)
                return starts_at - timedelta(hours=step.get("hours_before_start", 0))
        return starts_at


def business_hours_after_request(step: dict) -> float | None:
    """The "after the request" step in business hours (None for a "before the start" step)."""
    if step.get("business_hours_after_request") is not None:
        return float(step["business_hours_after_request"])
    if step.get("hours_after_request") is not None:  # a schedule stored in calendar hours
        return float(step["hours_after_request"]) / 24 * WORKING_DAY_HOURS
    return None
