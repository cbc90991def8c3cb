"""Response-time figures for managers (the practice, each therapist) and therapists (their own).

The figures follow help-desk reporting: business hours, median and 90th percentile, share
within target; requests still unanswered past their due time (or that expired unanswered)
count as misses and enter the median with the time they have waited so far; requests the
client cancelled before any answer are left out and counted; fewer than 3 requests → no
figure. All aggregation happens in the database (lib.metrics.query); this module applies
figure. The figures come from rows kept up to date as requests happen (lib.bookings.metric_days,
lib.metrics.kept; lib.metrics.query works the same out from `bookings`); this module applies
the access rule and shapes the result.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lib.core import clock, config
from lib.core.access import Actor, require_actor
from lib.core.db import reading
from lib.core.errors import Forbidden, InvalidInput, NotFound
from lib.core.models import User
from lib.metrics import cache
from lib.metrics.figures import Bar, Figures, Report, TherapistRow, WeekPoint, hours
from lib.metrics.kept import figures as grouped  # kept up to date as requests happen (lib.bookings.metric_days)
from lib.metrics.periods import Period, last_days
from lib.metrics.query import BIN_EDGES, RequestRows, Scope, open_now, open_now_total
from lib.people import directory
from lib.practice import rules as practice
from lib.practice.rules import Rules

SESSION_TYPES = ("individual", "couple", "family", "group")
NOT_YOURS = "You can see your own response times and the practice's, not another therapist's."


def reuse_text() -> str:
    """How long worked-out figures are reused (lib.metrics.cache), for the page: '5 minutes', '30 seconds'."""
    age = cache.max_age()
    if age <= 0:
        return ""
    n, unit = (round(age / 60), "minute") if age >= 90 else (round(age), "second")
    return f"{n} {unit}{'' if n == 1 else 's'}"


def check_scope(s, actor: Actor, therapist_id, session_type) -> tuple[int | None, str]:
    """(therapist id or None for the whole practice, the scope's name) if this user may see it.

    A therapist sees only their own figures (beside the practice's); asking for anyone else's is refused.
    """
    if session_type is not None and session_type not in SESSION_TYPES:
        raise InvalidInput("Please choose a session type from the list.", "session_type")
    if therapist_id is not None:
        try:
            therapist_id = int(therapist_id)
        except (TypeError, ValueError):
            raise (NotFound if actor.is_manager else Forbidden)(
                "We couldn't find that therapist." if actor.is_manager else NOT_YOURS) from None
    if not actor.is_manager:
        if therapist_id not in (None, actor.id):
            raise Forbidden(NOT_YOURS)
        return actor.id, actor.name
    if therapist_id is None:
        return None, "the practice"
    name = s.scalar(select(User.name).where(User.id == therapist_id, User.role == "therapist"))
    if name is None:
        raise NotFound("We couldn't find that therapist.")
    return therapist_id, name


def _trend(rows: RequestRows, weeks: dict) -> list[WeekPoint]:
    return [WeekPoint(rows.week_start(k), Figures.of(v)) for k, v in sorted(weeks.items())]


def _bars(bins: dict) -> list[Bar]:
    edges = list(BIN_EDGES) + [None]
    out = []
    for i in range(len(BIN_EDGES)):
        b = bins.get(i, {})
        answered, within = b.get("answered", 0), b.get("within_target", 0)
        out.append(Bar(BIN_EDGES[i], edges[i + 1], within, answered - within, b.get("unanswered", 0)))
    return out


@dataclass(frozen=True)
class _Worked:
    """The part of a report worth keeping for a few minutes (lib.metrics.cache): aggregates only."""
    period: Period
    target_hours: float
    figures: Figures
    practice: Figures
    trend: list[WeekPoint]
    table: list[tuple[int, str, Figures, bool | None]]  # therapists with requests in the period, by name
    names: dict[int, str]
    columns: dict[str, list]  # the table's columns but "Overdue now", worked out once
    histogram: list[Bar]


def _work_out(s, rules: Rules, period: Period, now: datetime, therapist_id: int | None,
              session_type: str | None, table: bool, practice_key: tuple, refresh: bool) -> _Worked:
    practice_rows = RequestRows(rules, Scope(period.start, period.end, now, None, session_type))
    scoped = therapist_id is not None
    rows = RequestRows(rules, Scope(period.start, period.end, now, therapist_id, session_type)) \
        if scoped else practice_rows
    groups = grouped(s, rows, ("all", "week", "bin") + (("therapist_id",) if table else ()))
    figures = Figures.of(groups["all"].get(0))
    # Beside one therapist, the practice's overall figures (not its weekly trend: a second full pass),
    # kept under their own key: every therapist's view shows the same practice figures.
    if scoped:
        practice = cache.get(practice_key, lambda: Figures.of(
            grouped(s, practice_rows, ("all",))["all"].get(0)), refresh=refresh).value
    else:
        practice = figures
        cache.keep(practice_key, figures)
    names = dict(s.execute(select(User.id, User.name).where(User.role == "therapist")).all()) \
        if table else {}
    per = [(tid, names.get(tid, f"#{tid}"), Figures.of(v)) for tid, v in groups.get("therapist_id", {}).items()]
    table_rows = [(tid, name, f, _faster(f, practice)) for tid, name, f in sorted(per, key=lambda r: (r[1], r[0]))]
    return _Worked(period, rules.target_hours, figures, practice, _trend(rows, groups["week"]), table_rows, names,
                   _columns([(name, f, faster) for _, name, f, faster in table_rows]), _bars(groups["bin"]))


def _columns(rows: list[tuple[str, Figures, bool | None]]) -> dict[str, list]:
    """The manager's table, column by column (hours to two decimals, shares in %).

    "Overdue now" is live: each view fills its slot, which keeps its place in the order.
    """
    return {
        "Therapist": [name for name, _, _ in rows],
        "Requests": [f.requests for _, f, _ in rows],
        "Median (h)": [hours(f.median) for _, f, _ in rows],
        "90th percentile (h)": [hours(f.p90_seconds) for _, f, _ in rows],
        "Within target": [None if f.within_share is None else round(f.within_share * 100, 1) for _, f, _ in rows],
        "Overdue now": [],
        "Faster than practice": [faster for _, _, faster in rows],
    }


def _faster(f: Figures, practice: Figures) -> bool | None:
    return f.median < practice.median if f.median is not None and practice.median is not None else None


def therapist_choices(actor: Actor, refresh: bool = False) -> list[tuple[int, str]]:
    """The therapists a manager can narrow the figures to, kept as long as the figures are."""
    actor = require_actor(actor)
    if not actor.is_manager:
        return []
    return cache.get((config.database_url(), "therapists"), lambda: directory.choices(actor), refresh=refresh).value


def report(actor: Actor, period: Period | None = None, therapist_id: int | None = None,
           session_type: str | None = None, refresh: bool = False, table: bool = True,
           while_working: Callable[[], ContextManager] = nullcontext) -> Report:
    """The figures this user may see: a therapist their own beside the practice's; a manager anyone's.

    The figures may be a few minutes old (lib.metrics.cache; `refresh` works them out now); the open
    and overdue counts are always read now. `table=False` leaves out a manager's per-therapist rows, and
    with them their working out and the live per-therapist count of the queue. `while_working` wraps only
    the working out (a page's spinner: figures kept from a moment ago need none).
    """
    actor = require_actor(actor)
    now = clock.now()
    period = period or last_days(now=now)
    with reading() as s:  # a plain connection: every statement here is a Core select
        therapist_id, scope_name = check_scope(s, actor, therapist_id, session_type)
        settings, fingerprint = practice.recent(s, config.database_url())
        common = (config.database_url(), fingerprint, period.key, session_type)
        practice_key = (*common, "practice")

        table = table and actor.is_manager

        def work_out() -> _Worked:
            with while_working():
                return _work_out(s, Rules(settings), period, now, therapist_id, session_type, table, practice_key,
                                 refresh)

        # The per-therapist rows are worked out only when asked for (their tab); a manager's other views
        # reuse figures kept with them. A therapist's figures never carry them.
        key = (*common, therapist_id, actor.is_manager)
        with_rows = None if table or refresh or not actor.is_manager else cache.recent((*key, "rows"))
        kept = with_rows or cache.get((*key, "rows") if table else key, work_out, refresh=refresh)
    scope = Scope(period.start, period.end, now, therapist_id, session_type)
    queue = open_now(scope) if table else {}
    waiting, overdue = (sum(o for o, _ in queue.values()), sum(late for _, late in queue.values())) if table \
        else open_now_total(scope)
    w: _Worked = kept.value
    rows: list[TherapistRow] = []
    columns: dict[str, list] = {}
    if table:
        rows = [TherapistRow(tid, name, f, *queue.get(tid, (0, 0)), faster) for tid, name, f, faster in w.table]
        listed = {r[0] for r in w.table}
        only_open = [TherapistRow(tid, w.names.get(tid, f"#{tid}"), Figures(), o, late, None)
                     for tid, (o, late) in queue.items() if tid not in listed]  # open now, no request in the period
        columns = w.columns
        if only_open:
            rows = sorted(rows + only_open, key=lambda r: (r.name, r.therapist_id))
            columns = _columns([(r.name, r.figures, r.faster_than_practice) for r in rows])
        columns = columns | {"Overdue now": [r.overdue_now for r in rows]}
    return Report(
        period=w.period, now=now, target_hours=w.target_hours, therapist_id=therapist_id,
        scope_name=scope_name, session_type=session_type, figures=w.figures, practice=w.practice,
        open_now=waiting, overdue_now=overdue,
        trend=w.trend, therapists=rows, histogram=w.histogram, worked_out_at=kept.worked_out_at, table=columns,
    )
