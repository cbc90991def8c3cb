"""Process-wide facts the app shell asks on every run (not personal data, so one value per process).

Kept in an imported module: streamlit_app.py itself is re-executed on every run.
"""
from __future__ import annotations

from lib.core.kept import kept_for
from lib.practice import rules

REFRESH_SECONDS = 30


@kept_for(REFRESH_SECONDS)
def demo_in_use() -> bool:
    """Whether the demo data is loaded (re-read every 30 s)."""
    return rules.demo_in_use()


def forget() -> None:
    """Tests: read it again on the next run."""
    demo_in_use.cache_clear()
