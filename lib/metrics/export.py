"""CSV downloads of the response-time figures: the per-therapist table and the requests behind it.

Both are made safe for spreadsheets (lib.core.csv_safe). The rows file carries session numbers,
therapists and times, never a client's name or contact details.
"""
from __future__ import annotations

from sqlalchemy import select

from lib.core import clock
from lib.core.access import Actor, require_actor
from lib.core.csv_safe import to_csv
from lib.core.db import unit_of_work
from lib.core.models import User
from lib.metrics.figures import Report, hours
from lib.metrics.periods import Period, last_days
from lib.metrics.query import RequestRows, Scope
from lib.metrics.report import check_scope
from lib.practice.rules import Rules

TABLE_HEADER = ["Therapist", "Requests", "Answered", "Median response (business hours)",
                "90th percentile (business hours)", "Within target (%)", "Unanswered past target",
                "Cancelled before any answer", "Open now", "Overdue now", "Faster than the practice median"]
ROWS_HEADER = ["Session", "Therapist", "Session type", "Status", "Requested", "First answer",
               "Response (business hours)", "Response (calendar hours)", "Counted as"]
COUNTED_AS = {"answered": "answered", "unanswered": "unanswered past target (miss)",
              "waiting": "waiting, not yet due (not counted yet)",
              "cancelled": "cancelled before any answer (left out)"}


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def table_csv(report: Report) -> str:
    """The per-therapist table as the manager sees it (one row per therapist)."""
    rows = []
    for r in report.therapists:
        f = r.figures
        mark = {True: "yes", False: "no", None: ""}[r.faster_than_practice]
        rows.append([r.name, f.requests, f.answered, hours(f.median), hours(f.p90_seconds), _pct(f.within_share),
                     f.unanswered, f.cancelled, r.open_now, r.overdue_now, mark])
    return to_csv(TABLE_HEADER, rows)


def rows_csv(actor: Actor, period: Period | None = None, therapist_id: int | None = None,
             session_type: str | None = None, tz: str | None = None) -> str:
    """Every request behind the figures the user may see, one line each, times in `tz`."""
    actor = require_actor(actor)
    tz = tz or actor.timezone
    now = clock.now()
    period = period or last_days(now=now)
    with unit_of_work() as s:
        therapist_id, _ = check_scope(s, actor, therapist_id, session_type)
        rows = RequestRows(Rules.load(s), Scope(period.start, period.end, now, therapist_id, session_type))
        rq = rows.subquery(detail=True)
        stmt = (select(rq, User.name).join(User, User.id == rq.c.therapist_id)
                .order_by(rq.c.requested_at, rq.c.booking_id))
        lines = []
        for r in s.execute(stmt.execution_options(yield_per=5000)).mappings():
            within = " within target" if r["within"] else " after the target" if r["kind"] == "answered" else ""
            lines.append([
                r["booking_id"], r["name"], r["session_type"], r["status"], clock.fmt_local(r["requested_at"], tz),
                clock.fmt_local(r["first_response_at"], tz) if r["first_response_at"] else "",
                hours(r["v"]), hours(r["cal"]), COUNTED_AS[r["kind"]] + within,
            ])
    return to_csv(ROWS_HEADER, lines)
