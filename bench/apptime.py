"""Server time of a page: AppTest runs, logged in, median of several, against an empty page."""
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


def _median(make, runs: int) -> float:
    at = make()
    at.run()  # warm-up: imports, caches, first connection
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return statistics.median(times)


def empty_page_seconds(runs: int = 15) -> float:
    return _median(lambda: AppTest.from_file(str(EMPTY), default_timeout=120), runs)


def page_seconds(url: str, username: str, page: str, query: dict | None = None, runs: int = 15) -> float:
    """Median server time of `page` (a file under pages/) for a logged-in user on database `url`."""
    os.environ["DATABASE_URL"] = url

    def make():
        from tests.app.helpers import logged_in_app

        at = logged_in_app(username)
        at.run()
        at.switch_page(f"pages/{page}")
        for k, v in (query or {}).items():
            at.query_params[k] = v
        return at

    return _median(make, runs)
