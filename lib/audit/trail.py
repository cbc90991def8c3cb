"""The append-only audit trail: who viewed or changed which client's record, and when."""
from __future__ import annotations

from sqlalchemy.orm import Session

from lib.audit import chain  # noqa: F401 — audit_chain chains every entry as it is written
from lib.core import clock
from lib.core.models import AuditEntry


def record(session: Session, username: str | None, action: str, *, booking_id: int | None = None,
           client_id: int | None = None, browser_session: str | None = None, detail: str | None = None) -> None:
    session.add(AuditEntry(
        at=clock.now(), username=username, action=action, booking_id=booking_id, client_id=client_id,
        browser_session=(browser_session or None) and browser_session[:64], detail=detail and detail[:500],
    ))
