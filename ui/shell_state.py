"""Process-wide facts the app shell asks on every run (not personal data, so one value per process).

Kept in an imported module: streamlit_app.py itself is re-executed on every run.
"""
from __future__ import annotations

import time

from lib.demo import seed

_demo = {"value": None, "at": 0.0}
REFRESH_SECONDS = 30


def demo_in_use() -> bool:
    """Whether the demo data is loaded (re-read every 30 s)."""
    if _demo["value"] is None or time.monotonic() - _demo["at"] > REFRESH_SECONDS:
        _demo.update(value=seed.demo_in_use(), at=time.monotonic())
    return _demo["value"]


def forget() -> None:
    """Tests: read it again on the next run."""
    _demo["value"] = None
