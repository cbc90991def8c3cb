"""Reading the audit trail (managers only). The trail itself is append-only: nothing here changes it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lib.audit import chain
from lib.core.access import Actor, require_manager
from lib.core.csv_safe import to_csv
from lib.core.db import unit_of_work
from lib.core.models import AuditEntry, Client
from lib.core.vocabulary import AuditAction

ACTION_LABELS = AuditAction.labels()
def action_label(action: str) -> str:
    """Words for every action, even one stored before it had a label ("new_thing" → "New thing")."""
    return ACTION_LABELS.get(action) or action.replace("_", " ").strip().capitalize()


HEADER = ["When (UTC)", "User", "Action", "Session", "Client", "Browser session", "Detail"]


@dataclass(frozen=True)
class AuditPage:
    rows: list[tuple]
    total: int


def _filtered(username: str | None, client: str | None, since: datetime | None, until: datetime | None):
    stmt = select(AuditEntry.at, AuditEntry.username, AuditEntry.action, AuditEntry.booking_id,
                  Client.name, AuditEntry.browser_session, AuditEntry.detail
                  ).outerjoin(Client, Client.id == AuditEntry.client_id)
    if username:
        stmt = stmt.where(AuditEntry.username == username.strip().lower())
    if client:
        client = client.strip()
        if client.isdigit():
            stmt = stmt.where(AuditEntry.client_id == int(client))
        else:
            stmt = stmt.where(func.lower(Client.email) == client.lower())
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return stmt


def entries(actor: Actor, username: str | None = None, client: str | None = None, since: datetime | None = None,
            until: datetime | None = None, limit: int = 500) -> AuditPage:
    """Newest first. `client` is a client's email address or id."""
    require_manager(actor)
    stmt = _filtered(username, client, since, until)
    with unit_of_work() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    return AuditPage([(r[0], r[1], action_label(r[2]), r[3], r[4], r[5], r[6]) for r in rows], total)


def chain_status(actor: Actor) -> chain.Verdict:
    """The whole chain checked now: the page says how far it is intact."""
    require_manager(actor)
    return chain.verify()


def entries_csv(actor: Actor, **filters) -> str:
    """Every matching entry (not only the first page), as spreadsheet-safe CSV."""
    page = entries(actor, limit=1_000_000, **filters)
    return to_csv(HEADER, ([r[0].isoformat(sep=" ", timespec="seconds"), *r[1:]] for r in page.rows))
