"""The outbox dispatcher: claim due messages, send them, record what happened.

Claiming is a short transaction that takes a lease on a batch (attempts + 1, next attempt pushed
out by LEASE), so no database lock is held while a message is on the wire and a second dispatcher
never picks up the same rows: on PostgreSQL it skips locked rows (FOR UPDATE SKIP LOCKED); on
SQLite the write transaction serialises claims. If a dispatcher dies after sending but before
recording, the lease runs out and the row is sent again with the same Message-ID and dedupe key —
the same message, never a different one.
"""
from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from lib import clock, config, team_worklist
from lib.db import unit_of_work
from lib.errors import BookingDeskError
from lib.models import Notification
from lib.notify.delivery import NOT_CONFIGURED, ChannelDown, DeliveryFailure, Outgoing, TemporaryFailure
from lib.notify.email_channel import EmailChannel, SmtpSettings
from lib.notify.sms_channel import SmsChannel, TwilioSettings

log = logging.getLogger("booking_desk.dispatch")

BATCH_SIZE = 50
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 10  # with the backoff below: about four hours of trying before "failed"
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
CHANNELS = ("email", "sms")
_table = Notification.__table__


@dataclass
class Counts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    not_sent: int = 0

    def __str__(self) -> str:
        return (f"sent {self.sent}, will retry {self.retrying}, failed {self.failed}, "
                f"not sent (channel not configured) {self.not_sent}")

    @property
    def anything(self) -> bool:
        return bool(self.sent or self.retrying or self.failed or self.not_sent)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def configured_channels() -> dict:
    """Channel name → a factory for a channel context, for each channel whose settings are present."""
    found = {}
    if (smtp := SmtpSettings.from_config()) is not None:
        found["email"] = lambda: EmailChannel(smtp)
    if (twilio := TwilioSettings.from_config()) is not None:
        found["sms"] = lambda: SmsChannel(twilio)
    return found


def mark_not_configured(channels: list[str], url: str | None = None) -> int:
    """Due messages on a channel with no settings are kept, marked "not sent", and shown in the app."""
    if not channels:
        return 0
    now = clock.now()
    with unit_of_work(write=True, url=url) as s:
        result = s.execute(
            update(_table)
            .where(_table.c.status == "pending", _table.c.channel.in_(channels), _table.c.next_attempt_at <= now)
            .values(status="not_sent", last_error=NOT_CONFIGURED))
        return result.rowcount or 0


def _no_commit_flush(s: Session) -> bool:
    """On PostgreSQL, don't wait for the WAL flush when committing a claim or an outcome: losing one in a
    server crash only means the row is sent again after its lease, with the same Message-ID — the case
    the outbox already handles — and it saves a disk flush per batch. True on PostgreSQL."""
    if s.get_bind().dialect.name != "postgresql":
        return False
    s.execute(text("SET LOCAL synchronous_commit TO OFF"))
    return True


def claim(s: Session, channels: list[str], limit: int, now: datetime) -> list[Outgoing]:
    """Lease up to `limit` due messages to this dispatcher (one UPDATE … RETURNING statement)."""
    c = _table.c
    due = (select(c.id).where(c.status == "pending", c.next_attempt_at <= now, c.channel.in_(channels))
           .order_by(c.next_attempt_at, c.id).limit(limit))
    if _no_commit_flush(s):
        due = due.with_for_update(skip_locked=True)  # another dispatcher's claimed rows are passed over
    due = due.cte("due")  # a CTE, so PostgreSQL locks and limits once (never re-runs it per row)
    rows = s.execute(
        update(_table).where(c.id == due.c.id)
        .values(attempts=c.attempts + 1, next_attempt_at=now + LEASE)
        .returning(c.id, c.channel, c.recipient, c.subject, c.body_text, c.body_html, c.ics, c.message_id,
                   c.attempts, c.created_at)).all()
    return sorted((Outgoing(*r) for r in rows), key=lambda m: m.id)


_RECORD = (update(_table)
           .where(_table.c.id == bindparam("row_id"), _table.c.status == "pending")
           .values(status=bindparam("new_status"), sent_at=bindparam("new_sent_at"),
                   provider_id=bindparam("new_provider_id"), last_error=bindparam("new_error"),
                   next_attempt_at=bindparam("new_next")))


def _outcome(msg: Outgoing, now: datetime, provider_id: str | None = None,
             failure: DeliveryFailure | None = None) -> dict:
    row = {"row_id": msg.id, "new_status": "sent", "new_sent_at": now, "new_provider_id": provider_id,
           "new_error": None, "new_next": now}
    if failure is None:
        return row
    row.update(new_sent_at=None, new_provider_id=None, new_error=failure.reason)
    if failure.permanent:
        row["new_status"] = "failed"
    elif msg.attempts >= MAX_ATTEMPTS:
        row.update(new_status="failed", new_error=f"Gave up after {msg.attempts} attempts. Last problem: "
                                                   f"{failure.reason}"[:1000])
    else:
        row.update(new_status="pending", new_next=now + backoff(msg.attempts))
    return row


def record(outcomes: list[dict], url: str | None = None) -> None:
    """Store a batch's outcomes in one transaction; plain "sent" rows (email) in one statement."""
    if not outcomes:
        return
    plain = [o for o in outcomes if o["new_status"] == "sent" and o["new_provider_id"] is None]
    rest = [o for o in outcomes if not (o["new_status"] == "sent" and o["new_provider_id"] is None)]
    with unit_of_work(write=True, url=url) as s:
        _no_commit_flush(s)
        if plain:
            c = _table.c
            # sent_at: when the batch's last email went out, seconds at most after the first.
            s.execute(update(_table).where(c.id.in_([o["row_id"] for o in plain]), c.status == "pending")
                      .values(status="sent", sent_at=plain[-1]["new_sent_at"], provider_id=None, last_error=None))
        if rest:
            s.execute(_RECORD, rest)
        if failed := [o["row_id"] for o in rest if o["new_status"] == "failed"]:
            _tell_the_team(s, failed)


def _tell_the_team(s: Session, failed_ids: list[int]) -> None:
    """A message that failed for good goes on the practice team's worklist, in the same transaction."""
    c = _table.c
    for row_id, booking_id in s.execute(select(c.id, c.booking_id).where(
            c.id.in_(failed_ids), c.status == "failed", c.booking_id.is_not(None))):
        team_worklist.open_task(s, booking_id, team_worklist.Reason.MESSAGE_FAILED, clock.now(), row_id)


class _Deliverer:
    """Sends a batch through channels that stay open for the whole run (one SMTP connection)."""

    def __init__(self, factories: dict):
        self.factories = factories
        self.open: dict = {}
        self.down: dict[str, ChannelDown] = {}

    def send(self, msg: Outgoing) -> dict:
        now = clock.now()
        if msg.channel in self.down:
            return _outcome(msg, now, failure=self.down[msg.channel])
        try:
            channel = self.open.get(msg.channel)
            if channel is None:
                channel = self.open[msg.channel] = self.factories[msg.channel]().__enter__()
            provider_id = channel.send(msg)
        except ChannelDown as exc:
            log.warning("%s channel down: %s", msg.channel, exc.reason)
            self.down[msg.channel] = exc
            return _outcome(msg, clock.now(), failure=exc)
        except DeliveryFailure as exc:
            log.info("message %s not delivered: %s", msg.id, exc.reason)
            return _outcome(msg, clock.now(), failure=exc)
        except Exception as exc:  # noqa: BLE001 — a bug must cost one attempt, not the batch or the loop
            log.exception("message %s: unexpected error", msg.id)
            self._discard(msg.channel)
            return _outcome(msg, clock.now(), failure=TemporaryFailure(
                f"Unexpected problem while sending ({exc.__class__.__name__}); it will be tried again."))
        return _outcome(msg, clock.now(), provider_id=provider_id)

    def _discard(self, name: str) -> None:
        channel = self.open.pop(name, None)
        if channel is not None:
            try:
                channel.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 — closing must not lose the outcomes already recorded
                log.exception("closing the %s channel failed", name)

    def close(self) -> None:
        for name in list(self.open):
            self._discard(name)


def _anything_due(url: str | None) -> bool:
    c = _table.c
    due = select(c.id).where(c.status == "pending", c.next_attempt_at <= clock.now()).limit(1)
    with unit_of_work(url=url) as s:
        return s.execute(due).first() is not None


def release(ids: list[int], url: str | None = None) -> None:
    """Give back claimed messages that were not sent (the server is stopping): due again at once, the
    attempt not counted, so the next dispatcher sends them without waiting for the lease to run out."""
    if not ids:
        return
    c = _table.c
    with unit_of_work(write=True, url=url) as s:
        s.execute(update(_table).where(c.id.in_(ids), c.status == "pending")
                  .values(attempts=c.attempts - 1, next_attempt_at=clock.now()))


def run_once(url: str | None = None, batch_size: int = BATCH_SIZE, factories: dict | None = None,
             stopping: threading.Event | None = None) -> Counts:
    """Deliver every message due now, batch by batch; returns what happened.

    When `stopping` is set, the message on the wire is finished and recorded, and the rest of the batch
    is released (left queued): a stop never leaves a message half-recorded."""
    if not _anything_due(url):
        return Counts()  # the usual case for the in-app thread: no write transaction at all
    factories = configured_channels() if factories is None else factories
    counts = Counts(not_sent=mark_not_configured([c for c in CHANNELS if c not in factories], url))
    deliverer = _Deliverer(factories)
    try:
        while (live := [c for c in factories if c not in deliverer.down]) and not _set(stopping):
            with unit_of_work(write=True, url=url) as s:
                batch = claim(s, live, batch_size, clock.now())
            if not batch:
                break
            outcomes = []
            try:
                for msg in batch:
                    if _set(stopping):
                        break
                    outcomes.append(deliverer.send(msg))
            finally:
                record(outcomes, url)  # whatever went out is recorded, even if something broke mid-batch
                release([m.id for m in batch[len(outcomes):]], url)
            for o in outcomes:
                if o["new_status"] == "sent":
                    counts.sent += 1
                elif o["new_status"] == "failed":
                    counts.failed += 1
                else:
                    counts.retrying += 1
    finally:
        deliverer.close()
    return counts


def _set(event: threading.Event | None) -> bool:
    return event is not None and event.is_set()


def _interval() -> float:
    return float(config.get("BOOKING_DESK_DISPATCH_SECONDS", "5") or 5)


def tick_and_deliver(factories: dict | None = None, stopping: threading.Event | None = None) -> Counts:
    """One round of the long-running loops: deadlines first (their messages go out in the same round)."""
    from lib import timers  # timers → answers → bookings; imported late to keep this module light

    from lib import audit_chain, retention  # likewise: retention → erasure → answers

    done = timers.tick()
    if done.reminded or done.escalated or done.expired:
        log.info("deadlines: %d reminded, %d escalated, %d expired",
                 len(done.reminded), len(done.escalated), len(done.expired))
    counts = run_once(factories=factories, stopping=stopping)
    retention.worker_step()  # after delivery: an erased client's cancellation email has gone, now blank it
    audit_chain.seal()  # entries written while others were writing too (lib.audit_chain)
    return counts


def _round(deliver) -> None:
    """One round of the long-running loops: a database outage is logged, never fatal."""
    try:
        counts = deliver()
    except BookingDeskError as exc:
        log.warning("dispatch round skipped: %s", exc.message)
    except Exception:  # noqa: BLE001 — the loop must outlive any one failure
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
    if (config.get("BOOKING_DESK_DISPATCHER", "on") or "on").strip().lower() in ("off", "0", "false", "no"):
        return None
    thread = Background(_interval())
    thread.start()
    return thread


def main(once: bool = False) -> int:
    """`python -m lib dispatch [--once]`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    factories = configured_channels()
    for name in CHANNELS:
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
