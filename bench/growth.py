"""As the data grows: the same service calls at two sizes, in one run (BENCH_GROWTH, default 300,000 and
3,000,000 bookings, over BENCH_THERAPISTS therapists).

Figures: growth_<call>_<db> = median time at the larger size / at the smaller, for the dashboard, the
session page, confirming a session (the whole service call: checks, outbox, audit, kept figures),
/metrics worked out afresh as a manager first sees it (the practice's figures and charts) and with the
"By therapist" table. Flat is 1.0. Server time only: no browser (docs/benchmarks.md says why).
"""
from __future__ import annotations

import os
import time

from bench import data, served
from lib.demo.bulk import seed_bulk

SIZES = [int(n) for n in os.environ.get("BENCH_GROWTH", "300000,3000000").split(",")]
RUNS = int(os.environ.get("BENCH_GROWTH_RUNS", "15"))


def _measure(url: str) -> dict[str, float]:
    os.environ["DATABASE_URL"] = url
    boss = served.manager(url)
    therapist, open_ids = served.busiest_therapist(url)
    requests = served.open_requests(url, RUNS + 1)  # a small data set may have fewer open
    if len(requests) < 4:
        raise RuntimeError(f"only {len(requests)} open requests at this size: seed more (BENCH_GROWTH)")
    return {
        "dashboard": served.median_ms(served.dashboard(therapist), RUNS),
        "session": served.median_ms(served.session_page(therapist, open_ids[-1]), RUNS),
        "confirm": served.median_ms(served.confirming(requests), len(requests) - 1),
        "metrics_fresh": served.median_ms(served.fresh_metrics(boss, table=False), max(3, RUNS // 3)),
        "metrics_fresh_table": served.median_ms(served.fresh_metrics(boss), max(3, RUNS // 3)),
    }


def _seeded(kind: str, size: int) -> str:
    url = data.fresh_sqlite(f"growth-{size}") if kind == "sqlite" else data.fresh_postgres()
    started = time.monotonic()
    seed_bulk(size, data.THERAPISTS, url=url)
    print(f"  seeded {size:,} bookings on {kind} in {time.monotonic() - started:.0f} s", flush=True)
    return url


def run(report) -> None:
    small, large = SIZES
    for kind in ("sqlite", "postgres"):
        times = {}
        for size in (small, large):
            url = _seeded(kind, size)
            times[size] = _measure(url)
            print(f"  {kind} at {size:,}: " + ", ".join(f"{k} {v:.1f} ms" for k, v in times[size].items()), flush=True)
            if kind == "postgres":
                data.drop_postgres(url)
        for name in times[small]:
            report(f"growth_{name}_{kind}", times[large][name] / times[small][name])
