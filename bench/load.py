"""Many writers at once on PostgreSQL: the load test's mix (the queue, the session page, then confirm,
reschedule or cancel), WORKERS threads for SECONDS, in one process, on a fresh database.

Figures: load_ops_per_s, load_p50_ms, load_p95_ms (every operation, refused ones too), and
load_chain_wait_share: the share of the workers' time spent waiting for the audit chain (the sealer's
lock and head row; before sealing moved out of the writers' transactions, 20 workers spent most of their
time there). The run ends by checking that the trail the 20 writers left is one unbroken chain.
"""
from __future__ import annotations

import os
import random
import statistics
import threading
import time
from datetime import timedelta

from bench import data
from lib.audit import chain as audit_chain
from lib.bookings import answers
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core.errors import Conflict, InvalidInput

WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "20"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "15"))


def run(report) -> None:
    from tests.integration.test_load import practice_under_load

    url = data.fresh_postgres()
    os.environ["DATABASE_URL"] = url
    therapists, ids = practice_under_load()
    waited, latencies, lock = [], [], threading.Lock()
    locked_head = audit_chain._locked_head

    def timed_head(conn):
        started = time.perf_counter()
        try:
            return locked_head(conn)
        finally:
            with lock:
                waited.append(time.perf_counter() - started)

    audit_chain._locked_head = timed_head
    stop = time.monotonic() + SECONDS

    def worker(n: int) -> None:
        rnd, me = random.Random(n), therapists[n % len(therapists)]
        while time.monotonic() < stop:
            bid, started = rnd.choice(ids[me.id]), time.perf_counter()
            try:
                bookings.queue(me)
                detail = session_view.get_for(me, bid)
                kind = rnd.choice(("confirm", "reschedule", "cancel"))
                if kind == "confirm":
                    bookings.confirm(me, bid, detail.version)
                elif kind == "reschedule":
                    when = detail.starts_at + timedelta(minutes=rnd.choice([10, 25]) * rnd.choice([1, 2, 3]) + 1440)
                    answers.reschedule_agreed(me, bid, detail.version, when)
                else:
                    answers.cancel(me, bid, detail.version, "load", True)
            except (Conflict, InvalidInput):
                pass
            with lock:
                latencies.append(time.perf_counter() - started)

    try:
        threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(SECONDS + 120)
    finally:
        audit_chain._locked_head = locked_head
    verdict = audit_chain.verify()
    q = statistics.quantiles(latencies, n=100)
    print(f"  {WORKERS} workers, {SECONDS:.0f} s: {len(latencies)} operations; chain: {verdict}", flush=True)
    if not verdict.ok:
        raise RuntimeError(f"the audit chain is broken after the load: {verdict}")
    report("load_ops_per_s", len(latencies) / SECONDS)
    report("load_p50_ms", q[49] * 1000)
    report("load_p95_ms", q[94] * 1000)
    report("load_chain_wait_share", sum(waited) / (WORKERS * SECONDS))
    data.drop_postgres(url)
