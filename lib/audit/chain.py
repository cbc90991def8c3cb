"""The audit trail as a hash chain: each entry carries the hash of the one before it.

Entries are written unchained, in the transaction of the action they record, and sealed into the chain
shortly after, in the order they were stored (id order): by the worker every round (lib.notify.dispatcher),
and by `audit verify` and `audit stream` before they read. Sealing gives each entry its place (`seq`), the
previous entry's hash and its own, and moves the chain's head row, in one transaction.

Why not chain each entry as it is written: that held the head row locked from an action's audit insert
to its commit, so every writing transaction of every user waited for the one before it (20 workers on
PostgreSQL: 231 operations/s before the chain, 35/s with it). Now writers never wait for each other here.
On PostgreSQL, an id is taken from a sequence when the row is inserted but becomes visible at its commit,
so a later id can be committed first; to seal strictly in id order, each writer holds a shared advisory
lock from before its insert to its commit, and the sealer takes it exclusively: when it has it, every
entry that has an id is committed (or rolled back), and none can appear below the ones it seals. SQLite
has one writer at a time, so ids are committed in order.

Until an entry is sealed (seconds) it is protected like any other row, not by the chain; from then on,
`verify()` walks the chain and names the first entry that was changed, removed or put out of order.
A plain hash chain proves nothing against someone who rewrites the whole trail and recomputes every
hash: that is what the copy streamed to a log system outside the app (`stream()`, ASVS 16.4.3) is for.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, cast

from sqlalchemy import Table, bindparam, event, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from lib.core import db
from lib.core.models import AuditChainHead, AuditEntry

GENESIS = "0" * 64
HEAD_ID = 1
_head = cast(Table, AuditChainHead.__table__)
_log = cast(Table, AuditEntry.__table__)
_UNSEALED = "audit_unsealed"
log = logging.getLogger("booking_desk.audit")
SEALING_LOCK = 0x5EA1  # the PostgreSQL advisory lock writers share and the sealer takes alone


def entry_hash(seq: int, at, username, action, booking_id, client_id, browser_session, detail, prev_hash) -> str:
    """SHA-256 of the entry's content and place, in one canonical JSON form."""
    content = [seq, at.isoformat(sep=" ", timespec="microseconds"), username, action, booking_id, client_id,
               browser_session, detail, prev_hash]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _row_hash(row) -> str:
    return entry_hash(row.seq, row.at, row.username, row.action, row.booking_id, row.client_id,
                      row.browser_session, row.detail, row.prev_hash)


def _locked_head(conn: Connection) -> tuple[int, str]:
    locked = select(_head.c.last_seq, _head.c.last_hash).where(_head.c.id == HEAD_ID).with_for_update()
    head = conn.execute(locked).first()
    if head is None:
        # No head row (a database emptied table by table): start it from the last entry, or from the beginning.
        # Two writers may get here at once: one row is made, and both then queue on it.
        last = conn.execute(select(_log.c.seq, _log.c.hash).where(_log.c.seq.is_not(None))
                            .order_by(_log.c.seq.desc()).limit(1)).first()
        seq, digest = (last.seq, last.hash) if last is not None else (0, GENESIS)
        make = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(make(_head).values(id=HEAD_ID, last_seq=seq, last_hash=digest).on_conflict_do_nothing())
        head = conn.execute(locked).first()
        assert head is not None  # the insert above (or a concurrent writer's) made the row
    return head.last_seq, head.last_hash


@event.listens_for(AuditEntry, "before_insert")
def _writing(_mapper, conn: Connection, entry: AuditEntry) -> None:
    """Unchained for now; on PostgreSQL the sealer waits for this transaction (see the module's note)."""
    entry.seq = entry.prev_hash = entry.hash = None
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": SEALING_LOCK})


@event.listens_for(Session, "after_flush")
def _note(session: Session, _ctx) -> None:
    if any(isinstance(obj, AuditEntry) for obj in session.new):
        session.info[_UNSEALED] = True


@event.listens_for(Session, "after_commit")
def _seal_now(session: Session) -> None:
    """Right after an action's commit, seal its entries if nobody else is writing or sealing at the moment
    (a quiet practice has every entry chained at once); otherwise the worker's next round does."""
    if not session.info.pop(_UNSEALED, False):
        return
    try:
        seal(cast(Engine, session.get_bind()).url.render_as_string(hide_password=False), wait=False)
    except Exception:
        log.warning("audit entries left for the worker to seal", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_UNSEALED, None)


def seal(url: str | None = None, batch: int = 5000, wait: bool = True) -> int:
    """Chain every entry not chained yet, in the order they were stored. Returns how many.

    `wait=False`: give up at once (returning 0) when writers are in the middle of adding entries."""
    sealed = 0
    while True:
        with db.engine(url).begin() as conn:
            done = seal_in(conn, batch, wait)
        sealed += done or 0
        if done is None or done < batch:
            return sealed


def seal_in(conn: Connection, batch: int | None = None, wait: bool = True) -> int | None:
    """Seal up to `batch` entries (all without) in this transaction; None if `wait=False` and writers are busy."""
    if conn.dialect.name == "postgresql":
        how = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        if conn.execute(text(f"SELECT {how}(:k)"), {"k": SEALING_LOCK}).scalar() is False:
            return None
    seq, prev = _locked_head(conn)
    rows = conn.execute(select(*_COLUMNS).where(_log.c.seq.is_(None)).order_by(_log.c.id).limit(batch)).all()
    if not rows:
        return 0
    values = []
    for row in rows:
        seq += 1
        digest = entry_hash(seq, row.at, row.username, row.action, row.booking_id, row.client_id,
                            row.browser_session, row.detail, prev)
        values.append({"row_id": row.id, "s": seq, "p": prev, "h": digest})
        prev = digest
    conn.execute(update(_log).where(_log.c.id == bindparam("row_id"))
                 .values(seq=bindparam("s"), prev_hash=bindparam("p"), hash=bindparam("h")), values)
    conn.execute(update(_head).where(_head.c.id == HEAD_ID).values(last_seq=seq, last_hash=prev))
    return len(rows)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    verified_up_to: int  # the last entry (seq) known to be untouched, counting from the first
    entries: int
    problem: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"audit trail verified: {self.entries:,} entries, the chain is intact (up to entry {self.verified_up_to:,})"
        return f"audit trail NOT intact: {self.problem} (verified up to entry {self.verified_up_to:,})"


_COLUMNS = [_log.c.id, _log.c.seq, _log.c.at, _log.c.username, _log.c.action, _log.c.booking_id, _log.c.client_id,
            _log.c.browser_session, _log.c.detail, _log.c.prev_hash, _log.c.hash]


def verify(url: str | None = None) -> Verdict:
    """Walk the trail in the order it is stored (by id) and check every link.

    changed: an entry's hash no longer matches its content; removed: a number is missing from the
    sequence (or the chain's last entry is gone); reordered: entries stored out of their chain order.
    Entries not sealed yet are sealed first; any written since, at the end of the trail, are left for later."""
    seal(url)
    with db.engine(url).connect() as conn:
        seqs = set(conn.scalars(select(_log.c.seq)))
        head = conn.execute(select(_head.c.last_seq, _head.c.last_hash).where(_head.c.id == HEAD_ID)).first()
        good, prev_hash, count = 0, GENESIS, 0
        pending = 0
        for row in conn.execute(select(*_COLUMNS).order_by(_log.c.id)).yield_per(2000):
            if row.seq is None and row.hash is None and row.prev_hash is None:
                pending += 1  # written after the seal above: fine if only such entries follow
                continue
            if pending:
                return Verdict(False, good, count, f"entry {row.seq} follows entries that were unchained "
                                                   "(an entry between them was changed)")
            count += 1
            expected = good + 1
            if row.seq is None or row.hash is None or row.hash != _row_hash(row):
                return Verdict(False, good, count, f"entry {row.seq or f'with id {row.id}'} was changed "
                                                   "(its content no longer matches its hash)")
            if row.seq != expected:
                if expected in seqs:
                    return Verdict(False, good, count, f"entries {expected} and {row.seq} are out of order "
                                                       "(reordered)")
                return Verdict(False, good, count, f"entry {expected} was removed (the next one is {row.seq})")
            if row.prev_hash != prev_hash:
                return Verdict(False, good, count, f"entry {row.seq} does not follow entry {good} "
                                                   "(an entry between them was replaced)")
            good, prev_hash = row.seq, row.hash
        if head is not None and head.last_seq > good:
            return Verdict(False, good, count, f"entries {good + 1} to {head.last_seq} were removed from the end")
        if head is not None and head.last_seq == good and head.last_hash != prev_hash:
            return Verdict(False, good, count, f"entry {good} was changed after it was chained")
        return Verdict(True, good, count)


def entry_json(row) -> str:
    return json.dumps({"seq": row.seq, "at": row.at.isoformat(timespec="microseconds") + "Z",
                       "username": row.username, "action": row.action, "booking_id": row.booking_id,
                       "client_id": row.client_id, "browser_session": row.browser_session, "detail": row.detail,
                       "prev_hash": row.prev_hash, "hash": row.hash}, ensure_ascii=False)


def entries_after(after_seq: int, url: str | None = None, batch: int = 2000) -> Iterator[str]:
    """JSON lines for every entry after `after_seq`, in chain order."""
    last = after_seq
    while True:
        with db.engine(url).connect() as conn:
            rows = conn.execute(select(*_COLUMNS).where(_log.c.seq > last).order_by(_log.c.seq).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield entry_json(row)
        last = rows[-1].seq


def last_seq_in(path) -> int:
    """Where a JSON-lines file written by stream() left off (0 for a new file)."""
    last = 0
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    last = json.loads(line)["seq"]
    except FileNotFoundError:
        return 0
    return last


def stream(out: IO[str], after_seq: int = 0, follow: bool = False, interval: float = 2.0,
           url: str | None = None, stop=None) -> int:
    """Write entries after `after_seq` as JSON lines; with `follow`, keep writing new ones as they come."""
    written, last = 0, after_seq
    while True:
        seal(url)
        for line in entries_after(last, url):
            out.write(line + "\n")
            last = json.loads(line)["seq"]
            written += 1
        out.flush()
        if not follow or (stop is not None and stop()):
            return written
        time.sleep(interval)
