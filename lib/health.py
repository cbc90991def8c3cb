"""Is this server ready for traffic? What `/readyz` answers to a load balancer (never any client data).

Ready: the database answers, its schema is at the latest migration, and the in-process dispatcher is
running (unless BOOKING_DESK_DISPATCHER=off, when a separate `python -m lib dispatch` does that job).
The age of the oldest message still waiting to be sent is reported for monitoring; it does not make a
server unready, since another server could not send it any sooner.
"""
from __future__ import annotations

from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import BookingDeskError
from lib.core.migrate import alembic_config
from lib.core.models import Notification
from lib.core.vocabulary import MessageStatus


@lru_cache(maxsize=1)
def schema_head() -> str | None:
    """The latest migration this code knows (read from migrations/, once per process)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def readiness(dispatcher) -> tuple[bool, dict]:
    """(ready, report). `dispatcher`: the in-process dispatcher thread, or None when it is turned off."""
    report: dict = {"database": "unreachable", "schema": "unknown", "oldest_unsent_seconds": None}
    if dispatcher is None:
        report["dispatcher"] = "off (a separate dispatcher sends the messages)"
        dispatcher_ok = True
    else:
        dispatcher_ok = dispatcher.is_alive() and not dispatcher.stopping.is_set()
        report["dispatcher"] = "running" if dispatcher_ok else "stopped"
        if dispatcher.last_round_at is not None:
            report["dispatcher_last_round_seconds_ago"] = round((clock.now() - dispatcher.last_round_at)
                                                                .total_seconds(), 1)
    try:
        with unit_of_work() as s:
            s.execute(text("SELECT 1"))
            report["database"] = "ok"
            version = s.execute(text("SELECT version_num FROM alembic_version")).scalar()
            head = schema_head()
            report["schema"] = "at head" if version == head else f"at {version}, code expects {head}"
            oldest = s.scalar(select(func.min(Notification.created_at)).where(Notification.status == MessageStatus.PENDING))
    except BookingDeskError:
        return False, {"ready": False, **report}
    except Exception as exc:
        report["schema"] = f"unreadable ({exc.__class__.__name__})"
        return False, {"ready": False, **report}
    if oldest is not None:
        report["oldest_unsent_seconds"] = max(0, round((clock.now() - oldest).total_seconds()))
    ready = report["schema"] == "at head" and dispatcher_ok
    return ready, {"ready": ready, **report}
