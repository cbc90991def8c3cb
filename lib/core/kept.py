"""Values kept for a few seconds in this process: the one mechanism for it, on cachetools' TTLCache.

For facts every click reads but that change a few times a year (the practice's settings and sign-in
rules, whether the demo is in use). Never for a client's data: that is read fresh on every view.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import cachetools
import cachetools.keys


def kept_for(seconds: float, key: Callable[..., Any] = cachetools.keys.hashkey, maxsize: int = 64):
    """Decorator: remember the function's answer for `seconds` per key; `fn.cache_clear()` forgets it."""
    def wrap(fn):
        cache: cachetools.TTLCache[Any, Any] = cachetools.TTLCache(maxsize=maxsize, ttl=seconds, timer=time.monotonic)
        return cachetools.cached(cache, key=key, lock=threading.Lock())(fn)
    return wrap
