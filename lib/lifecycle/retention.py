"""Retention: client records are kept N years after the client's last session (a practice setting; 7 by
default, as UK professional bodies advise), then erased by the worker's daily step (lib.lifecycle.erasure).

The step runs once a day (the day it ran is stored, so several app servers and dispatchers run it once
between them), each client in its own transaction: a failure leaves that client as they were and the next
day's run tries again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from lib.audit import trail
from lib.core import clock
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import Booking, Client
from lib.core.vocabulary import AuditAction
from lib.lifecycle.erasure import erase_in, finish_follow_ups
from lib.practice import rules

log = logging.getLogger("booking_desk.retention")
KEY, LAST_RUN = "retention_years", "retention_last_run"
MIN_YEARS, MAX_YEARS = 1, 100
BY = "system"


def years(s) -> int:
    return int(rules.get_all(s)[KEY])


def years_for(actor: Actor) -> int:
    require_manager(actor)
    with unit_of_work(read_only=True) as s:
        return years(s)


def set_years(actor: Actor, value, browser_session: str | None = None) -> int:
    """A manager changes how long client records are kept."""
    require_manager(actor)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("Please give a whole number of years.", KEY) from None
    if not MIN_YEARS <= value <= MAX_YEARS:
        raise InvalidInput(f"Keep client records between {MIN_YEARS} and {MAX_YEARS} years.", KEY)
    with unit_of_work(write=True) as s:
        before = years(s)
        rules.set_value(s, KEY, value)
        trail.record(s, actor.username, AuditAction.RETENTION_SETTING, browser_session=browser_session,
                     detail=f"Client records kept {value} years after the last session (was {before})")
    return value


def cutoff(now: datetime, keep_years: int) -> datetime:
    """Records whose last session started before this are due for erasure."""
    try:
        return now.replace(year=now.year - keep_years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - keep_years, day=28)


def due(s, now: datetime, keep_years: int, limit: int = 500, client_id: int | None = None) -> list[int]:
    """Clients (not yet erased) whose last session — or, with none, their first contact — is past the cut-off."""
    last = func.coalesce(func.max(Booking.starts_at), Client.created_at)
    stmt = (select(Client.id).outerjoin(Booking, Booking.client_id == Client.id).where(Client.erased_at.is_(None))
            .group_by(Client.id, Client.created_at).having(last < cutoff(now, keep_years)))
    if client_id is not None:
        stmt = stmt.where(Client.id == client_id)
    return list(s.scalars(stmt.order_by(Client.id).limit(limit)))


@dataclass
class RetentionRun:
    ran: bool
    erased: list[int] = field(default_factory=list)


def run(now: datetime | None = None) -> RetentionRun:
    """Erase every client past the retention period now (the daily step calls this)."""
    now = now or clock.now()
    result = RetentionRun(True)
    while True:
        with unit_of_work() as s:
            keep_years = years(s)
            batch = [i for i in due(s, now, keep_years) if i not in result.erased]
        if not batch:
            return result
        for client_id in batch:
            with unit_of_work(write=True) as s:
                client = s.scalar(select(Client).where(Client.id == client_id, Client.erased_at.is_(None))
                                  .with_for_update())
                if client is not None and due(s, now, keep_years, client_id=client_id):  # a session booked since?
                    erase_in(s, client, BY, "retention")
            result.erased.append(client_id)


def daily(now: datetime | None = None) -> RetentionRun:
    """Once a day: claim today's run (one process wins), then erase what is due."""
    now = now or clock.now()
    today = now.date().isoformat()
    with unit_of_work() as s:
        if rules.get_all(s).get(LAST_RUN) == today:
            return RetentionRun(False)  # the usual round: one read, no write transaction
    with unit_of_work(write=True) as s:
        if rules.get_all(s).get(LAST_RUN) == today:
            return RetentionRun(False)
        rules.set_value(s, LAST_RUN, today)
    return run(now)


def worker_step() -> None:
    """The worker's round (lib.notify.dispatcher): erased clients' sent emails blanked; retention once a day."""
    blanked = finish_follow_ups()
    done = daily()
    if blanked or done.erased:
        log.info("data lifecycle: %d sent messages of erased clients blanked, %d clients erased (retention)",
                 blanked, len(done.erased))
