"""The API's rate limit."""
from pathlib import Path

from lib.core import rate_limit

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
