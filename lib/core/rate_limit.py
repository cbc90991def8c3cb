"""A sliding-window limit on calls, kept in this process (each app server counts its own calls)."""
from __future__ import annotations

import math
import threading
import time
from collections import deque


class RateLimit:
    """At most `limit` calls in any `window` seconds; `allow()` says whether one more may go ahead."""

    def __init__(self, limit: int, window: float = 60.0):
        self.limit, self.window = limit, window
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def allow(self) -> tuple[bool, int]:
        """(allowed, seconds to wait before trying again when not)."""
        now = time.monotonic()
        with self._lock:
            while self._calls and self._calls[0] <= now - self.window:
                self._calls.popleft()
            if len(self._calls) >= self.limit:
                return False, max(1, math.ceil(self._calls[0] + self.window - now))
            self._calls.append(now)
            return True, 0
