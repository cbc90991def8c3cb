"""The demo practice's /metrics figures look like a real practice's on any day of the week (issue 20):
a median for the practice and for each therapist, never "0 min", mostly within the 4-hour target."""
from datetime import datetime

import pytest

from lib.core import clock
from lib.demo.seed import seed_demo
from lib.metrics import figures, periods
from lib.metrics import report as metrics
from lib.people import auth


@pytest.mark.parametrize("now", [datetime(2026, 12, 7, 7, 45),  # a Monday before opening
                                 datetime(2026, 12, 9, 14, 0),  # midweek, in opening hours
                                 datetime(2026, 12, 13, 20, 0)])  # a Sunday evening
def test_the_demo_figures_are_believable_whatever_the_day(sqlite_url, now):
    clock.freeze(now)
    seed_demo()
    manager = auth.actor_for("morgan")
    for days in (7, 30, 90):
        rep = metrics.report(manager, periods.last_days(days), refresh=True, table=True)
        f = rep.figures
        assert f.has_figures, (days, f.why_no_figure)
        assert 20 * 60 <= f.median <= 4 * 3600, (days, figures.hours_text(f.median))
        assert 0.6 <= f.within_share < 1.0 or days == 7, (days, f.within_share)
    month = metrics.report(manager, periods.last_days(30), refresh=True, table=True)
    medians = dict(zip(month.table["Therapist"], month.table["Median (h)"]))
    assert set(medians) == {"Alice Moreno", "Bob Okafor"} and all(m and m >= 0.25 for m in medians.values()), medians
    weeks = [w for w in month.trend if w.figures.median is not None]
    assert len(weeks) >= 3 and all(w.figures.median > 0 for w in weeks)
