"""Writing many new bookings at once: the rows lib.intake.create_booking writes, by bulk inserts.

create_booking costs a few queries and an ORM flush per booking; a 100,000-row file needs
inserts in chunks instead. Everything else is shared with intake: the NewBooking values,
the practice's due and expiry rules, `facts_for` and the message templates. The test
tests/integration/test_import_equivalence.py keeps the two paths writing identical rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from lib import clock, config
from lib.bookings import facts_for
from lib.intake import NewBooking
from lib.models import Attendee, Booking, BookingEvent, Client, Notification, Relationship, User
from lib.notify import outbox, templates
from lib.practice import Rules

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
        self.clients: dict[str, KnownClient] = {}
        self.relationships: dict[tuple[int, int], int] = {}
        self._due: dict[tuple[datetime, datetime], tuple[datetime, datetime]] = {}
        self.bookings = self.new_clients = self.messages = 0

    # --- reading ---

    def existing_bookings(self, rows: list[tuple[User, NewBooking]]) -> dict[DuplicateKey, int]:
        """Bookings already stored with the same therapist, client and start as one of these rows."""
        self._load_clients({req.client_email for _, req in rows})
        ids = {c.id for c in (self.clients.get(req.client_email) for _, req in rows) if c and c.in_database}
        if not ids:
            return {}
        by_id = {c.id: c.email for c in self.clients.values() if c.id in ids}
        found = {}
        for part in _parts(sorted(ids)):
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
                status="unconfirmed", requested_at=req.requested_at, requested_by=req.requested_by,
                response_due_at=due, expires_at=expires, first_response_at=None, response_business_seconds=None,
                reassigned_from_id=None, version=1))
        booking_ids = _insert_returning_ids(conn, Booking, booking_rows)
        attendees, events, messages = [], [], []
        for (therapist, req), client, bid, values in zip(rows, clients, booking_ids, booking_rows):
            attendees += [dict(booking_id=bid, position=i, name=n) for i, n in enumerate(req.attendees)]
            events.append(dict(booking_id=bid, kind="requested", actor=req.requested_by, at=req.requested_at,
                               detail=None))
            messages += _new_booking_messages(bid, values, therapist, client, req.attendees, now)
        for model, values in ((Attendee, attendees), (BookingEvent, events), (Notification, messages)):
            if values:
                conn.execute(insert(model.__table__), values)
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
        ids = _insert_returning_ids(conn, Client, [
            dict(name=c.name, email=c.email, phone=c.phone, timezone=c.timezone, created_at=now) for c in new])
        for client, cid in zip(new, ids):
            client.id = cid
        if phones:
            conn.execute(update(Client.__table__).where(Client.__table__.c.id == bindparam("cid"))
                         .values(phone=bindparam("new_phone")),
                         [dict(cid=cid, new_phone=p) for cid, p in phones.items()])
        self.new_clients += len(new)
        return [self.clients[req.client_email] for _, req in rows]

    def _relationships_for(self, conn, rows, clients: list[KnownClient]) -> list[int]:
        new_keys, new_rows = [], []
        for (therapist, req), client in zip(rows, clients):
            key = (therapist.id, client.id)
            if key not in self.relationships:
                self.relationships[key] = 0  # placeholder until inserted
                new_keys.append(key)
                new_rows.append(dict(therapist_id=therapist.id, client_id=client.id, started_at=req.requested_at))
        for key, rid in zip(new_keys, _insert_returning_ids(conn, Relationship, new_rows)):
            self.relationships[key] = rid
        return [self.relationships[(t.id, c.id)] for (t, _), c in zip(rows, clients)]

    def _due_and_expiry(self, requested_at: datetime, starts_at: datetime) -> tuple[datetime, datetime]:
        key = (requested_at, starts_at)
        if key not in self._due:
            self._due[key] = (self.rules.response_due_at(requested_at, starts_at),
                              self.rules.expires_at(requested_at, starts_at))
        return self._due[key]


def _new_booking_messages(booking_id: int, values: dict, therapist: User, client: KnownClient,
                          attendees: list[str], now: datetime) -> list[dict]:
    """The outbox rows intake.notify_new_booking writes: the therapist's email, and an SMS if they opted in."""
    booking = SimpleNamespace(
        id=booking_id, therapist=therapist, attendees=[SimpleNamespace(name=n) for n in attendees],
        client=SimpleNamespace(name=client.name, email=client.email, timezone=client.timezone), **values)
    facts = facts_for(booking)
    link = f"{config.app_base_url()}/session?id={booking_id}"
    due = values["response_due_at"]
    cause = f"new_booking:{booking_id}"
    out = [_outbox_row(cause, "email", therapist.email, booking_id, now,
                       templates.new_booking_email(facts, therapist.timezone, due, link))]
    if therapist.sms_opt_in and therapist.sms_phone:
        out.append(_outbox_row(cause, "sms", therapist.sms_phone, booking_id, now,
                               templates.new_booking_sms(facts, therapist.timezone, due, link)))
    return out


def _outbox_row(cause: str, channel: str, recipient: str, booking_id: int, now: datetime,
                message: templates.Rendered) -> dict:
    """One row as outbox.enqueue writes it (a brand-new booking id can't have a message yet)."""
    key = f"{cause}|{channel}|{recipient.lower()}"
    return dict(dedupe_key=key, booking_id=booking_id, channel=channel, template=message.template,
                recipient=recipient, subject=message.subject, body_text=message.text, body_html=message.html,
                ics=message.ics, message_id=outbox.message_id_for(key), status="pending", attempts=0,
                last_error=None, created_at=now, next_attempt_at=now, sent_at=None, provider_id=None)


def _insert_returning_ids(conn, model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    table = model.__table__
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def _parts(values: list, size: int = 900):
    for i in range(0, len(values), size):
        yield values[i:i + size]
