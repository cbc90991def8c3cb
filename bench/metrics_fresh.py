"""/metrics worked out afresh (a filter the cache cannot answer), from the kept rows and from scratch.

Since metric_days (lib.bookings.metric_days) the figures come from one row per therapist and day, kept up to
date as requests happen; lib.metrics.query still works the same figures out from `bookings`, and the
tests hold the two equal. Both are timed here in the same run, for the whole practice (the manager's
table, the trend, the bars) and for one therapist. Figures (milliseconds of server time, median):
metrics_fresh_practice_ms_<db> for the practice as a manager first sees it (no table: read from the
practice's own rows), metrics_fresh_ms_<db> and metrics_fresh_scratch_ms_<db> for the practice, metrics_fresh_one_ms_<db> and
metrics_fresh_one_scratch_ms_<db> for one therapist.

Not measured here: the browser's part (`metrics_filter_fresh_vs_empty` in the issue), see docs/benchmarks.md.
"""
from __future__ import annotations

import os

from bench import data, served

RUNS = int(os.environ.get("BENCH_METRICS_RUNS", "9"))


def run(report) -> None:
    for label, make in (("sqlite", data.large_sqlite), ("postgres", data.large_postgres)):
        url = make()
        os.environ["DATABASE_URL"] = url
        boss = served.manager(url)
        therapist, _ = served.busiest_therapist(url)
        kept = served.median_ms(served.fresh_metrics(boss), RUNS)
        practice = served.median_ms(served.fresh_metrics(boss, table=False), RUNS)
        report(f"metrics_fresh_practice_ms_{label}", practice)
        scratch = served.median_ms(served.fresh_metrics(boss, from_scratch=True), RUNS)
        one = served.median_ms(served.fresh_metrics(boss, therapist_id=therapist.id), RUNS)
        one_scratch = served.median_ms(served.fresh_metrics(boss, True, therapist.id), RUNS)
        print(f"  {label}: the practice's month {kept:.0f} ms kept vs {scratch:.0f} ms from scratch; "
              f"one therapist {one:.1f} vs {one_scratch:.1f} ms", flush=True)
        report(f"metrics_fresh_ms_{label}", kept)
        report(f"metrics_fresh_scratch_ms_{label}", scratch)
        report(f"metrics_fresh_one_ms_{label}", one)
        report(f"metrics_fresh_one_scratch_ms_{label}", one_scratch)
