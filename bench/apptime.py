"""Server time of a page: AppTest runs, logged in, median of several, against an empty page.

The page and the empty page take turns in short blocks, so both see the same machine noise.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
EMPTY = Path(tempfile.mkdtemp(prefix="bd-empty-")) / "empty_page.py"
EMPTY.write_text("import streamlit as st\nst.title('Empty')\nst.write('An empty Streamlit page.')\n")


def _timed(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    assert not at.exception, at.exception
    return elapsed


def logged_in_page(url: str, username: str, page: str, query: dict | None = None) -> AppTest:
    os.environ["DATABASE_URL"] = url
    from tests.app.helpers import logged_in_app, switch_page

    at = logged_in_app(username)
    at.run()
    switch_page(at, page)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at


RUNS = 100  # of each, in alternating blocks: about a second of a page, so the machine's slower and faster moments
# (on a small shared machine the empty page itself goes from 2.7 to 3.9 ms within a minute) fall on both
# alike. With 25, one measurement of the same page on the same data ranged 1.72-2.14x, with 100 1.82-1.96x.


BLOCK = 10  # runs of one before the other's turn. Run for run, a page leaves some of its cost to whatever
# runs next (on SQLite an empty page right after the session page took 2.2-2.5 ms, after another empty
# page 2.0): taking turns run by run put that cost on the empty page's side and flattered the page
# (SQLite 1.07-1.35x, blocks of ten 1.44-1.50x, the same hour). In a block each run follows its own kind.


def compare(at: AppTest, runs: int = RUNS) -> tuple[float, float]:
    """(median page seconds, median empty-page seconds), measured in alternating blocks."""
    empty = AppTest.from_file(str(EMPTY), default_timeout=120)
    for _ in range(3):  # warm-up: imports, caches, first connections
        at.run()
        empty.run()
    page_times, empty_times = [], []
    block = min(BLOCK, max(1, runs // 4))  # a few turns each, also for the few runs of a slow page
    for start in range(0, runs, block):
        n = min(block, runs - start)
        page_times += [_timed(at) for _ in range(n)]
        empty_times += [_timed(empty) for _ in range(n)]
    return statistics.median(page_times), statistics.median(empty_times)


def page_vs_empty(url: str, username: str, page: str, query: dict | None = None, runs: int = RUNS) -> tuple[float, float]:
    return compare(logged_in_page(url, username, page, query), runs)
