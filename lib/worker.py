"""The long-running work beside the pages: deadlines, then delivery, then retention, every few seconds.

Runs in the app server (a daemon thread started by server.lifecycle) or on its own
(`python -m lib dispatch`). It sits above the parts it drives, so notify never imports bookings:
a message that fails for good reaches the team's worklist through the `gave_up` hook given here.
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

from lib.audit import chain
from lib.bookings import deadlines, worklist
from lib.core import clock, config
from lib.core.errors import BookingDeskError
from lib.lifecycle import retention
from lib.notify import dispatcher
from lib.notify.delivery import NOT_CONFIGURED
from lib.notify.dispatcher import Counts

log = logging.getLogger("booking_desk.worker")


def _interval() -> float:
    return config.settings().BOOKING_DESK_DISPATCH_SECONDS


def deliver(factories: dict | None = None, stopping: threading.Event | None = None, url: str | None = None) -> Counts:
    """Send what is due; a message that fails for good goes on the team's worklist in the same transaction."""
    return dispatcher.run_once(url, factories=factories, stopping=stopping, gave_up=worklist.open_for_failed_messages)


def tick_and_deliver(factories: dict | None = None, stopping: threading.Event | None = None) -> Counts:
    """One round: deadlines first (their messages go out in the same round), delivery, then retention."""
    done = deadlines.tick()
    if done.reminded or done.escalated or done.expired:
        log.info("deadlines: %d reminded, %d escalated, %d expired",
                 len(done.reminded), len(done.escalated), len(done.expired))
    counts = deliver(factories, stopping)
    retention.worker_step()  # after delivery: an erased client's cancellation email has gone, now blank it
    chain.seal()  # audit entries written since the last round join the hash chain, in stored order
    return counts


def _round(deliver) -> None:
    """One round of the long-running loops: a database outage is logged, never fatal."""
    try:
        counts = deliver()
    except BookingDeskError as exc:
        log.warning("dispatch round skipped: %s", exc.message)
    except Exception:
        log.exception("dispatch round failed; trying again shortly")
    else:
        if counts.anything:
            log.info("dispatch: %s", counts)


class Background(threading.Thread):
    """The in-app dispatcher: a daemon thread that delivers due messages every few seconds."""

    def __init__(self, interval: float):
        super().__init__(name="booking-desk-dispatcher", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.last_round_at: datetime | None = None  # when the last round ended (the readiness check shows it)

    def run(self) -> None:
        while not self.stopping.is_set():
            _round(lambda: tick_and_deliver(stopping=self.stopping))
            self.last_round_at = clock.now()
            self.stopping.wait(self.interval)

    def stop(self, wait: float = 0.0) -> bool:
        """Stop after the message being sent now (recorded; the rest stay queued). True once stopped."""
        self.stopping.set()
        if wait and self.is_alive():
            self.join(wait)
        return not self.is_alive()


def start_background() -> Background | None:
    """Start the in-app dispatcher, unless BOOKING_DESK_DISPATCHER=off (tests, or a separate dispatcher)."""
    if not config.settings().BOOKING_DESK_DISPATCHER:
        return None
    thread = Background(_interval())
    thread.start()
    return thread


def main(once: bool = False) -> int:
    """`python -m lib dispatch [--once]`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    factories = dispatcher.configured_channels()
    for name in dispatcher.CHANNELS:
        print(f"{name}: {'configured' if name in factories else NOT_CONFIGURED}", flush=True)
    if once:
        print(tick_and_deliver(factories), flush=True)
        return 0
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    interval = _interval()
    print(f"delivering every {interval:g} s; stop with Ctrl+C", flush=True)
    while not stopping.is_set():
        _round(lambda: tick_and_deliver(factories, stopping))
        stopping.wait(interval)
    return 0
