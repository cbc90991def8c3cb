"""Writing many new bookings at once: the rows lib.bookings.intake.create_booking writes, by bulk inserts.

create_booking costs a few queries and an ORM flush per booking; a 100,000-row file needs
inserts in chunks instead. Everything else is shared with intake: the NewBooking values,
the practice's due and expiry rules, `facts_for` and the message templates. The test
tests/integration/test_import_equivalence.py keeps the two paths writing identical rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from lib.bookings import metric_days
from lib.bookings.intake import NewBooking
from lib.core import clock
from lib.core.models import Attendee, Booking, BookingEvent, Client, ClientToken, Notification, Relationship, User
from lib.core.vocabulary import BookingStatus, EventKind
from lib.imports.notices import NewBookingNotices
from lib.practice.rules import Rules

DuplicateKey = tuple[int, str, datetime]  # therapist id, client email, start (naive UTC)


@dataclass
class KnownClient:
    id: int | None  # None until its chunk is written
    name: str
    email: str
    phone: str | None
    timezone: str
    in_database: bool  # existed before this import


class BulkWriter:
    """Finds existing clients and bookings for a chunk of rows, then writes the chunk, in the caller's transaction."""

    def __init__(self, s: Session, rules: Rules):
        self.s = s
        self.rules = rules
        self.notices = NewBookingNotices(s)
        self.clients: dict[str, KnownClient] = {}
        self.relationships: dict[tuple[int, int], int] = {}
        self.bookings = self.new_clients = self.messages = 0

    # --- reading ---

    def existing_bookings(self, rows: list[tuple[User, NewBooking]]) -> dict[DuplicateKey, int]:
        """Bookings already stored with the same therapist, client and start as one of these rows."""
        self._load_clients({req.client_email for _, req in rows})
        stored = (self.clients.get(req.client_email) for _, req in rows)
        by_id = {c.id: c.email for c in stored if c is not None and c.in_database}
        found: dict[DuplicateKey, int] = {}
        for part in _parts(sorted(by_id)):
            stmt = select(Booking.id, Booking.therapist_id, Booking.client_id, Booking.starts_at).where(
                Booking.client_id.in_(part))
            for bid, tid, cid, starts in self.s.execute(stmt):
                found.setdefault((tid, by_id[cid], starts), bid)
            rels = select(Relationship.id, Relationship.therapist_id, Relationship.client_id).where(
                Relationship.client_id.in_(part))
            for rid, tid, cid in self.s.execute(rels):
                self.relationships[(tid, cid)] = rid
        return found

    def _load_clients(self, emails: set[str]) -> None:
        wanted = sorted(e for e in emails if e not in self.clients)
        for part in _parts(wanted):
            stmt = select(Client.id, Client.name, Client.email, Client.phone, Client.timezone).where(
                Client.email.in_(part))
            for cid, name, email, phone, tz in self.s.execute(stmt):
                self.clients[email] = KnownClient(cid, name, email, phone, tz, True)

    # --- writing ---

    def write(self, rows: list[tuple[User, NewBooking]]) -> None:
        conn = self.s.connection()
        now = clock.now()
        clients = self._clients_for(conn, rows, now)
        rel_ids = self._relationships_for(conn, rows, clients)
        booking_rows = []
        for (therapist, req), client, rel_id in zip(rows, clients, rel_ids):
            due, expires = self._due_and_expiry(req.requested_at, req.starts_at)
            booking_rows.append(dict(
                therapist_id=therapist.id, client_id=client.id, relationship_id=rel_id, session_type=req.session_type,
                starts_at=req.starts_at, duration_minutes=req.duration_minutes, delivery=req.delivery,
                video_service=req.video_service, join_details=req.join_details, address=req.address,
                status=BookingStatus.UNCONFIRMED, requested_at=req.requested_at, requested_by=req.requested_by,
                response_due_at=due, expires_at=expires, first_response_at=None, response_business_seconds=None,
                reassigned_from_id=None, version=1))
        booking_ids = _insert_with_ids(conn, Booking, booking_rows)
        metric_days.note(self.s, ((cast(int, r["therapist_id"]), cast(datetime, r["requested_at"])) for r in booking_rows))
        attendees, events, tokens, messages = [], [], [], []
        for (therapist, req), client, bid, values in zip(rows, clients, booking_ids, booking_rows):
            attendees += [dict(booking_id=bid, position=i, name=n) for i, n in enumerate(req.attendees)]
            events.append(dict(booking_id=bid, kind=EventKind.REQUESTED, actor=req.requested_by, at=req.requested_at,
                               detail=None))
            token, mails = self.notices.for_booking(values, therapist, client, req.attendees, now)
            tokens.append(token)
            messages += mails
        for model, batch in ((Attendee, attendees), (BookingEvent, events), (ClientToken, tokens),
                             (Notification, messages)):
            if batch:
                conn.execute(insert(cast(Table, model.__table__)), batch)
        self.bookings += len(rows)
        self.messages += len(messages)

    def _clients_for(self, conn, rows, now: datetime) -> list[KnownClient]:
        """Match by email or create (new clients in the order they first appear), as find_or_create_client does."""
        new: list[KnownClient] = []
        phones: dict[int, str] = {}
        for _, req in rows:
            client = self.clients.get(req.client_email)
            if client is None:
                client = KnownClient(None, req.client_name, req.client_email, req.client_phone, req.client_timezone,
                                     False)
                self.clients[req.client_email] = client
                new.append(client)
            elif req.client_phone and not client.phone:
                client.phone = req.client_phone
                if client.id is not None:
                    phones[client.id] = req.client_phone
        ids = _insert_with_ids(conn, Client, [
            dict(name=c.name, email=c.email, phone=c.phone, timezone=c.timezone, created_at=now) for c in new])
        for client, cid in zip(new, ids):
            client.id = cid
        if phones:
            conn.execute(update(cast(Table, Client.__table__)).where(Client.__table__.c.id == bindparam("cid"))
                         .values(phone=bindparam("new_phone")),
                         [dict(cid=cid, new_phone=p) for cid, p in phones.items()])
        self.new_clients += len(new)
        return [self.clients[req.client_email] for _, req in rows]

    def _relationships_for(self, conn, rows, clients: list[KnownClient]) -> list[int]:
        new_keys, new_rows = [], []
        for (therapist, req), client in zip(rows, clients):
            assert client.id is not None  # _clients_for gave every client its id
            key = (therapist.id, client.id)
            if key not in self.relationships:
                self.relationships[key] = 0  # placeholder until inserted
                new_keys.append(key)
                new_rows.append(dict(therapist_id=therapist.id, client_id=client.id, started_at=req.requested_at))
        for key, rid in zip(new_keys, _insert_with_ids(conn, Relationship, new_rows)):
            self.relationships[key] = rid
        return [self.relationships[(t.id, c.id)] for (t, _), c in zip(rows, clients)]  # type: ignore[index]

    def _due_and_expiry(self, requested_at: datetime, starts_at: datetime) -> tuple[datetime, datetime]:
        return (self.rules.response_due_at(requested_at, starts_at), self.rules.expires_at(requested_at, starts_at))


def _insert_with_ids(conn, model, rows: list[dict]) -> list[int]:
    """Insert rows with ids taken up front (the ones the database would have given them one by one).

    Needed to link the rows of other tables; RETURNING over many rows in a known order is done
    row by row on SQLite, which costs more than the whole rest of the import.
    """
    if not rows:
        return []
    table = model.__table__
    ids = _take_ids(conn, table, len(rows))
    for row, new_id in zip(rows, ids):
        row["id"] = new_id
    conn.execute(insert(table), rows)
    return ids


def _take_ids(conn, table, count: int) -> list[int]:
    if conn.dialect.name == "postgresql":
        stmt = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
        return sorted(conn.execute(stmt, {"t": table.name, "n": count}).scalars())
    # SQLite: this transaction holds the write lock, so nobody else can take these ids meanwhile.
    first = (conn.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(first, first + count))


def _parts(values: list, size: int = 900):
    for i in range(0, len(values), size):
        yield values[i:i + size]
