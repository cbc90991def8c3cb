"""The API's rate limit, and a label on the /audit page for every action the app records."""
import re
from pathlib import Path

from lib.core import rate_limit
from lib.audit.view import ACTION_LABELS

LIB = Path(__file__).resolve().parents[2] / "lib"


def test_the_rate_limit_allows_the_limit_then_refuses_until_the_window_moves_on(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(rate_limit.time, "monotonic", lambda: now[0])
    limit = rate_limit.RateLimit(3, window=60)
    assert [limit.allow()[0] for _ in range(4)] == [True, True, True, False]
    assert limit.allow() == (False, 60)
    now[0] += 30
    assert limit.allow() == (False, 30)
    now[0] += 30.5
    assert limit.allow() == (True, 0)


def test_every_recorded_action_has_a_label_on_the_audit_page():
    recorded = set()
    for path in LIB.rglob("*.py"):
        text = path.read_text()
        recorded |= set(re.findall(r'(?:audit|trail)\.record\(\s*\w+,\s*[^,()]+(?:\([^)]*\))?,\s*"(\w+)"', text))
        recorded |= set(re.findall(r'_audit\("(\w+)"', text))
    assert {"api_booking", "api_refused", "api_replayed", "api_status", "channel_secret_rotated"} <= recorded
    assert recorded - set(ACTION_LABELS) == set()
