"""Who is acting, and the access rule every service function applies first.

Kept in core, apart from sign-in (lib.people.auth), because every part of lib checks access and sign-in
itself depends on the audit trail: one small module here keeps the layers acyclic.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lib.core.errors import Forbidden, NotFound


class Role(StrEnum):
    THERAPIST = "therapist"
    MANAGER = "manager"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.THERAPIST: "Therapist", Role.MANAGER: "Practice manager"}
ROLES = tuple(Role)


@dataclass(frozen=True)
class Actor:
    """The logged-in person a service call acts for."""

    id: int
    username: str
    name: str
    role: str
    timezone: str

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


def require_manager(actor: Actor | None) -> Actor:
    """Managers only: anyone else is told they may not (the page exists, it is not theirs)."""
    if actor is None or not actor.is_manager:
        raise Forbidden()
    return actor


def require_actor(actor: Actor | None) -> Actor:
    """Anyone signed in; without a sign-in the thing asked for does not exist."""
    if actor is None:
        raise NotFound()
    return actor
