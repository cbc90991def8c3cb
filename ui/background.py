"""Background work inside the app server (the outbox dispatcher), started once per process."""
from __future__ import annotations

import threading

from lib.notify import dispatcher

_started: list = []  # the dispatcher (or None when turned off), once started
_lock = threading.Lock()


def start_dispatcher():
    """One dispatcher thread per server process (none when BOOKING_DESK_DISPATCHER=off);
    `python -m lib dispatch` does the same job elsewhere.

    Called on every run, so after the first it is one list check (st.cache_resource cost a page 0.06 ms)."""
    if not _started:
        with _lock:
            if not _started:
                _started.append(dispatcher.start_background())
    return _started[0]
