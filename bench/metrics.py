"""/metrics page server time at a million bookings: against an empty page, and against the naive way.

The naive way reads the bookings into pandas and computes the same figures there (business hours for
unanswered requests in Python, percentiles with pandas' linear quantile, which is percentile_cont). It is
measured through the same page by swapping `lib.metrics.report` for it, in the same run, and its figures
are checked against the SQL ones first, so the two really do the same job.
"""
from __future__ import annotations

import math
import os
import statistics
import time
import tracemalloc

import pandas as pd
from sqlalchemy import select

from bench import apptime, data
from lib.core import clock
from lib.core.access import Actor
from lib.core.db import unit_of_work
from lib.core.models import Booking, User
from lib.metrics import report as metrics
from lib.metrics.figures import Bar, Figures, Report, TherapistRow, WeekPoint
from lib.metrics.periods import last_days
from lib.metrics.query import BIN_EDGES
from lib.metrics.report import check_scope
from lib.people.auth import add_user
from lib.practice.business_hours import business_seconds_between
from lib.practice.rules import Rules

MANAGER = "bench-metrics-manager"
os.environ.setdefault("BOOKING_DESK_SECRET", "bench-only-secret-" + "0123456789abcdef" * 2)  # the login gate
COLUMNS = [Booking.therapist_id, Booking.session_type, Booking.status, Booking.requested_at,
           Booking.first_response_at, Booking.response_business_seconds, Booking.response_due_at, Booking.expires_at]


def _manager(url: str):
    with unit_of_work(write=True, url=url) as s:
        user = s.scalar(select(User).where(User.username == MANAGER))
        if user is None:
            user = add_user(s, MANAGER, "Bench Manager", "bench.manager@practice.example", "manager",
                            "bench-metrics-password", check_password=False)
        return Actor(user.id, user.username, user.name, user.role, user.timezone)


def _epoch(series: pd.Series) -> pd.Series:
    return series.astype("datetime64[us]").astype("int64") // 1_000_000


def _figures(frame: pd.DataFrame, with_cal: bool = True) -> Figures:
    counted = frame[frame.v.notna()]
    kind = frame.kind.value_counts()
    live = frame[frame.kind != "cancelled"]
    return Figures(
        requests=len(live), answered=int(kind.get("answered", 0)), within_target=int(frame.within.sum()),
        unanswered=int(kind.get("unanswered", 0)), waiting=int(kind.get("waiting", 0)),
        cancelled=int(kind.get("cancelled", 0)), declined=int((live.status == "declined").sum()),
        expired=int((live.status == "expired").sum()),
        p50=float(counted.v.quantile(0.5)) if len(counted) else None,
        p90=float(counted.v.quantile(0.9)) if len(counted) else None,
        cal50=float(counted.cal.quantile(0.5)) if len(counted) and with_cal else None)


def naive_report(actor, period=None, therapist_id=None, session_type=None, refresh=False, table=True,
                 while_working=None) -> Report:
    """The same Report as lib.metrics.report, the naive way: every booking read into pandas first.

    Like lib.metrics.report, it works out the per-therapist table only when asked (`table`), so both
    sides do the same work for the page's default view."""
    now = clock.now()
    period = period or last_days(now=now)
    with unit_of_work() as s:
        therapist_id, scope_name = check_scope(s, actor, therapist_id, session_type)
        rules = Rules.load(s)
        df = pd.read_sql(select(*COLUMNS), s.connection())
        names = dict(s.execute(select(User.id, User.name)).all())
    if session_type:
        df = df[df.session_type == session_type]
    everyone = _rows(df[(df.requested_at >= period.start) & (df.requested_at < period.end)].copy(), rules, now)
    if therapist_id is not None:
        df = df[df.therapist_id == therapist_id]
    p = everyone[everyone.therapist_id == therapist_id] if therapist_id is not None else everyone
    overall = _figures(p)
    practice = _figures(everyone) if therapist_id is not None else overall
    trend = [WeekPoint(w, _figures(g, False)) for w, g in sorted(p.groupby("week"), key=lambda x: x[0])]
    edges = [int(e * 3600) for e in BIN_EDGES] + [float("inf")]
    bars = []
    for i in range(len(BIN_EDGES)):
        b = p[(p.v >= edges[i]) & (p.v < edges[i + 1])]
        within = int(b.within.sum())
        bars.append(Bar(BIN_EDGES[i], (list(BIN_EDGES) + [None])[i + 1], within,
                                int((b.kind == "answered").sum()) - within, int((b.kind == "unanswered").sum())))
    want_table, table = table, []
    waiting = df[df.status == "unconfirmed"]
    if want_table and actor.is_manager:  # per therapist with vectorised group-bys, as a careful pandas user would
        live = p.kind != "cancelled"
        counts = pd.DataFrame({
            "requests": live, "answered": p.kind == "answered", "within_target": p.within == 1,
            "unanswered": p.kind == "unanswered", "waiting": p.kind == "waiting", "cancelled": p.kind == "cancelled",
            "declined": live & (p.status == "declined"), "expired": live & (p.status == "expired"),
            "therapist_id": p.therapist_id}).groupby("therapist_id").sum()
        timed = p[p.v.notna()].groupby("therapist_id").v
        p50, p90 = timed.quantile(0.5), timed.quantile(0.9)
        queue = pd.DataFrame({"therapist_id": waiting.therapist_id, "open": 1,
                              "late": waiting.response_due_at <= now}).groupby("therapist_id").sum()
        for tid in sorted(set(counts.index) | set(queue.index)):
            c = counts.loc[tid] if tid in counts.index else None
            f = Figures(**({k: int(c[k]) for k in counts.columns} if c is not None else {}),
                        p50=float(p50[tid]) if tid in p50.index else None,
                        p90=float(p90[tid]) if tid in p90.index else None)
            o, late = (int(queue.loc[tid, "open"]), int(queue.loc[tid, "late"])) if tid in queue.index else (0, 0)
            faster = f.median < practice.median if f.median is not None and practice.median is not None else None
            table.append(TherapistRow(int(tid), names.get(tid, f"#{tid}"), f, o, late, faster))
        table.sort(key=lambda r: (r.name, r.therapist_id))
    return Report(period=period, now=now, target_hours=rules.target_hours, therapist_id=therapist_id,
                  scope_name=scope_name, session_type=session_type, figures=overall, practice=practice,
                  open_now=len(waiting), overdue_now=int((waiting.response_due_at <= now).sum()), trend=trend,
                  therapists=table, histogram=bars, worked_out_at=now)


def _rows(p: pd.DataFrame, rules: Rules, now) -> pd.DataFrame:
    """Each request's kind, business and calendar seconds, within-target flag and local week, in pandas."""
    answered = p.first_response_at.notna()
    unanswered = ~answered & (p.status != "cancelled") & ((p.status != "unconfirmed") | (p.response_due_at <= now))
    p["kind"] = "waiting"
    p.loc[~answered & (p.status == "cancelled"), "kind"] = "cancelled"
    p.loc[unanswered, "kind"] = "unanswered"
    p.loc[answered, "kind"] = "answered"
    end = p.expires_at.fillna(now).clip(upper=now).where(p.status != "unconfirmed", now)
    p["v"] = p.response_business_seconds.where(answered)
    # Whole seconds at both ends, as the database works them out.
    p.loc[unanswered, "v"] = [business_seconds_between(r, e, rules.calendar) if e > r else 0
                              for r, e in zip(p.requested_at[unanswered].dt.floor("s"), end[unanswered].dt.floor("s"))]
    p["cal"] = (_epoch(p.first_response_at.fillna(now)) - _epoch(p.requested_at)).where(answered)
    p.loc[unanswered, "cal"] = (_epoch(end[unanswered]) - _epoch(p.requested_at[unanswered])).clip(lower=0)
    p["within"] = (answered & (p.response_business_seconds <= round(rules.target_hours * 3600))).astype(int)
    local = p.requested_at.dt.tz_localize("UTC").dt.tz_convert(rules.calendar.tz)
    p["week"] = (local.dt.tz_localize(None).dt.normalize() - pd.to_timedelta(local.dt.weekday, unit="D")).dt.date
    return p


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def _same_figures(a: Figures, b: Figures) -> bool:
    return all(_same(getattr(a, f), getattr(b, f)) for f in Figures.__dataclass_fields__)


def _check_same(actor) -> None:
    """The naive figures equal the SQL ones (so the speed-up compares equal work).

    Both are worked out at one instant: the naive way takes seconds, in which a waiting request of the
    million may pass its due time and move between the figures."""
    clock.freeze(clock.now())
    try:
        fast, slow = metrics.report(actor, refresh=True), naive_report(actor)
    finally:
        clock.freeze(None)
    assert _same_figures(fast.figures, slow.figures), (fast.figures, slow.figures)
    assert (fast.open_now, fast.overdue_now, fast.histogram) == (slow.open_now, slow.overdue_now, slow.histogram)
    assert [w.week_start for w in fast.trend] == [w.week_start for w in slow.trend]
    assert all(_same_figures(a.figures, b.figures) for a, b in zip(fast.trend, slow.trend))
    assert [r.therapist_id for r in fast.therapists] == [r.therapist_id for r in slow.therapists]
    assert all(_same_figures(a.figures, b.figures) for a, b in zip(fast.therapists, slow.therapists))


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _metrics_page(url: str):
    """The /metrics page for the manager, checked to show the figures (not an error) before timing."""
    at = apptime.logged_in_page(url, MANAGER, "metrics.py")
    at.run()
    from tests.app.helpers import tiles

    labels = list(tiles(at))
    assert "Median response" in labels and not at.error, (labels, [e.value for e in at.error])
    return at


def run(report) -> None:
    for label, make in (("sqlite", data.large_sqlite), ("postgres", data.large_postgres)):
        url = make()
        actor = _manager(url)
        os.environ["DATABASE_URL"] = url
        _check_same(actor)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            metrics.report(actor, refresh=True)
            timings.append(time.perf_counter() - started)
        ours, theirs = _peak_mb(lambda a=actor: metrics.report(a, refresh=True)), _peak_mb(lambda a=actor: naive_report(a))
        print(f"  {label}: lib.metrics.report {statistics.median(timings) * 1000:.0f} ms; Python memory peak "
              f"{ours:.1f} MB (naive: {theirs:.0f} MB)", flush=True)
        # As a manager sees it: figures worked out at most every few minutes (lib.metrics.cache).
        page, empty = apptime.compare(_metrics_page(url), runs=25)
        # Worked out afresh on every run, ours and the naive way: the speed-up compares equal work.
        os.environ["BOOKING_DESK_METRICS_MAX_AGE"] = "0"
        fast_report = metrics.report
        try:
            fresh, fresh_empty = apptime.compare(_metrics_page(url), runs=9)
            metrics.report = naive_report
            naive, _ = apptime.compare(_metrics_page(url), runs=3)
        finally:
            metrics.report = fast_report
            os.environ.pop("BOOKING_DESK_METRICS_MAX_AGE")
        print(f"  {label}: /metrics {page * 1000:.1f} ms vs empty page {empty * 1000:.1f} ms; worked out on "
              f"every view {fresh * 1000:.0f} ms; naive /metrics {naive * 1000:.0f} ms", flush=True)
        report(f"metrics_vs_empty_{label}", page / empty)
        report(f"metrics_fresh_vs_empty_{label}", fresh / fresh_empty)
        report(f"metrics_speedup_vs_naive_{label}", naive / fresh)
