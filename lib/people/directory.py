"""Who the therapists are, as every list of them shows it: one query, one shape (Therapist)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from lib.core.access import Actor, Role, require_actor
from lib.core.db import unit_of_work
from lib.core.models import User


@dataclass(frozen=True)
class Therapist:
    id: int
    username: str
    name: str
    label: str  # the name, with the username when two therapists share a name (a list never shows one twice)
    video_services: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


def therapists(actor: Actor | None) -> list[Therapist]:
    """Active therapists by name: all of them for a manager, only themself for a therapist."""
    actor = require_actor(actor)
    with unit_of_work(read_only=True) as s:
        stmt = select(User).where(User.role == Role.THERAPIST, User.active.is_(True))
        if not actor.is_manager:
            stmt = stmt.where(User.id == actor.id)
        users = list(s.scalars(stmt.order_by(User.name, User.username)))
    seen = Counter(u.name for u in users)
    return [Therapist(u.id, u.username, u.name, u.name if seen[u.name] == 1 else f"{u.name} ({u.username})",
                      list(u.video_services or []), list(u.addresses or [])) for u in users]


def choices(actor: Actor | None) -> list[tuple[int, str]]:
    """(id, label) pairs for a filter or a picker."""
    return [(t.id, t.label) for t in therapists(actor)]


def name_of(actor: Actor | None, therapist_id: int) -> str | None:
    """One active therapist's name (a filter's label, without reading everyone's): None if there is no such
    therapist, or it is not this user's to see."""
    actor = require_actor(actor)
    if not actor.is_manager and therapist_id != actor.id:
        return None
    with unit_of_work(read_only=True) as s:
        return s.scalar(select(User.name).where(User.id == therapist_id, User.role == Role.THERAPIST,
                                               User.active.is_(True)))
