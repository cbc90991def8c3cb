"""What the response-time figures are: counts, times in business hours, the trend and the bars, and
how an hour reads ("2 h 15 min")."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from lib.metrics.periods import Period

MIN_REQUESTS = 3


def hours(seconds: float | None) -> float | None:
    """Seconds as hours to two decimals (for tables and files)."""
    return None if seconds is None else round(seconds / 3600, 2)


def hours_text(seconds: float | None) -> str:
    """'45 min', '1 h 30 min', '26 h' — business hours are never turned into days."""
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if m else f"{h} h"


@dataclass(frozen=True)
class Figures:
    """One group's figures. Times are seconds; None where there is no figure."""

    requests: int = 0  # requested in the period, not counting those cancelled before any answer
    answered: int = 0
    within_target: int = 0
    unanswered: int = 0  # no answer and past due (or expired): counted as misses
    waiting: int = 0  # open and not yet due: not counted yet
    cancelled: int = 0  # cancelled by the client before any answer: left out
    declined: int = 0
    expired: int = 0
    away: int = 0  # arrived while the therapist was away: left out of their own figures, in the practice's
    p50: float | None = None
    p90: float | None = None
    cal50: float | None = None

    # Worked out once here (not as properties): a manager's table reads them for thousands of therapists.
    counted: int = field(init=False)  # requests in the median, p90 and % within target: answered, or unanswered past due
    has_figures: bool = field(init=False)
    median: float | None = field(init=False)
    p90_seconds: float | None = field(init=False)
    median_calendar: float | None = field(init=False)
    within_share: float | None = field(init=False)

    def __post_init__(self) -> None:
        counted = self.answered + self.unanswered
        has = counted >= MIN_REQUESTS
        for name, value in (("counted", counted), ("has_figures", has), ("median", self.p50 if has else None),
                            ("p90_seconds", self.p90 if has else None),
                            ("median_calendar", self.cal50 if has else None),
                            ("within_share", self.within_target / counted if has else None)):
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, values: dict | None) -> Figures:
        return cls(**values) if values else cls()  # lib.metrics.query gives exactly these fields

    @property
    def why_no_figure(self) -> str:
        return (f"fewer than {MIN_REQUESTS} requests answered or overdue "
                f"({self.counted} so far)") if not self.has_figures else ""

    def share(self, n: int) -> float | None:
        return n / self.requests if self.requests >= MIN_REQUESTS else None


class TherapistRow(NamedTuple):  # a tuple, not a frozen dataclass: a view makes one per therapist
    therapist_id: int
    name: str
    figures: Figures
    open_now: int
    overdue_now: int
    faster_than_practice: bool | None  # None when either median is missing


@dataclass(frozen=True)
class WeekPoint:
    week_start: date  # Monday, in the practice's timezone
    figures: Figures


@dataclass(frozen=True)
class Bar:
    lo_hours: float
    hi_hours: float | None  # None: open-ended
    within: int
    late: int
    unanswered: int

    @property
    def label(self) -> str:
        def h(x: float) -> str:
            return f"{int(x * 60)} min" if x < 1 else f"{x:g} h"

        if self.hi_hours is None:
            return f"{h(self.lo_hours)} or more"
        if self.lo_hours == 0:
            return f"under {h(self.hi_hours)}"
        if self.lo_hours < 1:
            return f"{h(self.lo_hours)}–{h(self.hi_hours)}"
        return f"{self.lo_hours:g}–{self.hi_hours:g} h"


@dataclass(frozen=True)
class Report:
    period: Period
    now: datetime
    target_hours: float
    therapist_id: int | None  # the scope: None = the whole practice
    scope_name: str
    session_type: str | None
    figures: Figures  # the scope's
    practice: Figures  # the practice's, under the same session-type filter
    open_now: int
    overdue_now: int
    trend: list[WeekPoint]  # the scope's
    therapists: list[TherapistRow] = field(default_factory=list)  # managers only
    histogram: list[Bar] = field(default_factory=list)
    worked_out_at: datetime | None = None  # when the figures (not the open/overdue counts) were worked out
    table: dict[str, list] = field(default_factory=dict)  # the manager's table as columns, in `therapists` order

    @property
    def is_practice(self) -> bool:
        return self.therapist_id is None
