"""The practice's sign-in rules (managers set them in /settings): who must use two-step sign-in, and how
long a sign-in may last at most, besides the idle timeout."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lib.audit import trail
from lib.core import config
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import InvalidFields
from lib.core.kept import kept_for
from lib.core.vocabulary import AuditAction
from lib.practice import rules

TWO_STEP_CHOICES = {"nobody": "Nobody (each person chooses)", "managers": "Practice managers",
                    "everyone": "Everyone"}
MAX_LIFETIME_HOURS = 24 * 7


@dataclass(frozen=True)
class SignInRules:
    two_step_required: str  # nobody | managers | everyone
    lifetime_hours: float
    idle_minutes: float

    def two_step_required_for(self, role: str) -> bool:
        return self.two_step_required == "everyone" or (self.two_step_required == "managers" and role == "manager")


def idle_minutes() -> float:
    return config.settings().BOOKING_DESK_IDLE_MINUTES


def from_settings(settings: dict) -> SignInRules:
    return SignInRules(settings["two_step_required"], float(settings["session_lifetime_hours"]), idle_minutes())


def load(s: Session) -> SignInRules:
    return from_settings(rules.get_all(s))


KEEP_SECONDS = 10.0  # every click checks its sign-in against these; a change reaches other servers this soon


def kept() -> SignInRules:
    """The rules, read at most every KEEP_SECONDS on this server (they change a few times a year)."""
    return _kept_for_database(config.database_url())


@kept_for(KEEP_SECONDS)
def _kept_for_database(url: str) -> SignInRules:
    return current()


def forget() -> None:
    _kept_for_database.cache_clear()


def current() -> SignInRules:
    with unit_of_work(read_only=True) as s:
        return load(s)


def update(actor: Actor, *, two_step_required: str, lifetime_hours: float) -> None:
    require_manager(actor)
    errors = {}
    if two_step_required not in TWO_STEP_CHOICES:
        errors["two_step_required"] = "Choose nobody, practice managers or everyone."
    try:
        hours = float(lifetime_hours)
        if not 1 <= hours <= MAX_LIFETIME_HOURS:
            raise ValueError
    except (TypeError, ValueError):
        errors["lifetime_hours"] = f"A sign-in may last between 1 and {MAX_LIFETIME_HOURS} hours."
    if errors:
        raise InvalidFields(errors)
    with unit_of_work(write=True) as s:
        before = load(s)
        forget()
        rules.set_value(s, "two_step_required", two_step_required)
        rules.set_value(s, "session_lifetime_hours", hours)
        trail.record(s, actor.username, AuditAction.SIGN_IN_RULES_CHANGED,
                     detail=f"two-step required for {two_step_required} (was {before.two_step_required}); "
                            f"longest sign-in {hours:g} h (was {before.lifetime_hours:g} h)")
