"""The bookings API: what the booking channel calls (`POST /api/v1/bookings`, `GET /api/v1/bookings/{id}`).

Every rule is here; server/ only moves bytes. A booking goes through the same checks as a CSV row
(`import_rows.check_values`) and the same intake (`intake.create_booking`), so the same messages go out.
Each call is audited, with the channel as the one who acted; a refused call leaves only that entry.
Retried deliveries are replays: the webhook id is stored with the booking, in its transaction.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lib.audit import trail
from lib.booking_api.signature import signature_problem
from lib.bookings import availability
from lib.bookings.away import away_at
from lib.bookings.intake import create_booking
from lib.core import clock, config
from lib.core.db import unit_of_work
from lib.core.models import Booking, ChannelDelivery, Client, User
from lib.core.vocabulary import AuditAction
from lib.imports.importer import lock_new_bookings
from lib.imports.rows import COLUMNS, check_values, forget_contacts
from lib.practice.rules import Rules

MAX_BODY = 64 * 1024
CALLER = "booking channel"  # who acted, in the audit trail
# What the channel may show a client: our statuses in the channel's words.
STATUS_WORDS = {"unconfirmed": "unconfirmed", "confirmed": "confirmed", "awaiting_client": "offered",
                "declined": "declined", "cancelled": "cancelled", "expired": "expired"}
UNAUTHORIZED = {"error": "unauthorized"}  # the same words whatever was wrong: nothing to learn from it


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)


def status_url(booking_id: int) -> str:
    return f"{config.app_base_url()}/api/v1/bookings/{booking_id}"


def _audit(action: str, detail: str, booking_id: int | None = None, client_id: int | None = None) -> None:
    with unit_of_work(write=True) as s:
        trail.record(s, CALLER, action, booking_id=booking_id, client_id=client_id, detail=detail)


def refuse(status: int, body: dict, what: str, reason: str, headers: dict | None = None) -> Answer:
    """A call refused before it was read (too large, too many): audited, then answered."""
    _audit(AuditAction.API_REFUSED, f"{what}: {status}, {reason}")
    return Answer(status, body, headers or {})


def _webhook_id(headers: Mapping[str, str]) -> str:
    return next((v for k, v in headers.items() if k.lower() == "webhook-id"), "")[:200]


def receive(body: bytes, headers: Mapping[str, str]) -> Answer:
    """One signed booking, as JSON. 201 (or the same answer again for a retried webhook id), 401, 409, 422."""
    webhook_id = _webhook_id(headers)
    with unit_of_work() as s:
        problem = signature_problem(s, body, headers)
    if problem:
        _audit(AuditAction.API_REFUSED, f"POST /api/v1/bookings: 401, {problem}")
        return Answer(401, UNAUTHORIZED)
    values, errors = _values(body)
    if values is None:
        return _invalid(webhook_id, errors)
    try:
        return _create(webhook_id, body, values, errors)
    except IntegrityError:  # another server stored this webhook id a moment ago: answer as it did
        return _create(webhook_id, body, values, errors)


def _values(body: bytes) -> tuple[dict[str, str] | None, list[dict]]:
    """The JSON object's fields as the CSV's text values, and what is wrong with its shape (values None:
    not an object at all)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None, [{"field": None, "message": "The body is not JSON."}]
    if not isinstance(data, dict):
        return None, [{"field": None, "message": "The body must be one JSON object: one booking."}]
    errors, values = [], {}
    for name, value in data.items():
        if name not in COLUMNS:
            errors.append({"field": name, "message": f"Unknown field. The fields are: {', '.join(COLUMNS)}."})
        elif name == "attendees" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            values[name] = ";".join(value)
        elif isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
            errors.append({"field": name, "message": "Must be text (or a number for duration_minutes)."})
        elif value is not None:
            values[name] = str(value)
    return values, errors


def _invalid(webhook_id: str, errors: list[dict]) -> Answer:
    fields = ", ".join(sorted({e["field"] or "(body)" for e in errors}))
    _audit(AuditAction.API_REFUSED, f"POST /api/v1/bookings: 422, webhook-id {webhook_id}, fields: {fields}")
    return Answer(422, {"error": "invalid", "problems": errors})


def _conflict(s, webhook_id: str, message: str, booking_id: int | None = None) -> Answer:
    s.rollback()
    trail.record(s, CALLER, AuditAction.API_REFUSED, booking_id=booking_id,
                 detail=f"POST /api/v1/bookings: 409, webhook-id {webhook_id}, {message}")
    body: dict[str, str | int] = {"error": "conflict", "message": message}
    if booking_id is not None:
        body["booking_id"] = booking_id
    return Answer(409, body)


def _create(webhook_id: str, body: bytes, values: dict[str, str], shape_errors: list[dict]) -> Answer:
    digest = hashlib.sha256(body).hexdigest()
    with unit_of_work(write=True) as s:
        lock_new_bookings(s)  # one booking at a time, on every server (PostgreSQL); SQLite's write lock too
        earlier = s.scalar(select(ChannelDelivery).where(ChannelDelivery.webhook_id == webhook_id))
        if earlier is not None:
            if earlier.body_sha256 != digest:
                return _conflict(s, webhook_id, "This webhook-id was already used for a different booking.")
            trail.record(s, CALLER, AuditAction.API_REPLAYED, booking_id=earlier.booking_id,
                         detail=f"POST /api/v1/bookings: 201 again, webhook-id {webhook_id} (a retry)")
            return Answer(201, _created(earlier.booking_id), {"Idempotent-Replayed": "true"})
        therapists = {u.username: u for u in s.scalars(select(User))}
        req, problems = check_values(values, therapists)
        forget_contacts()
        if problems or shape_errors:
            s.rollback()
            return _invalid(webhook_id, shape_errors + [{"field": p.column, "message": p.message} for p in problems])
        assert req is not None  # check_values gives a request whenever it finds no problem
        therapist = therapists[req.therapist_username]
        duplicate = s.scalar(select(Booking.id).join(Client, Client.id == Booking.client_id).where(
            Booking.therapist_id == therapist.id, Client.email == req.client_email, Booking.starts_at == req.starts_at))
        if duplicate:
            return _conflict(s, webhook_id, "This client already has this session with this therapist.", duplicate)
        if (away := away_at(s, therapist.id, clock.now())) is not None:  # the channel can offer another therapist
            return _conflict(s, webhook_id, f"{away.reason()}. Please offer the client another therapist.")
        if clashes := availability.check(s, therapist, req.starts_at, req.duration_minutes).clashes:
            why = "busy in their own calendar" if clashes[0].outside else f"a {clashes[0].what}"
            return _conflict(s, webhook_id, f"The therapist is not free at that time ({why}).")
        created = create_booking(s, Rules.load(s), therapist, req)
        booking = created.booking
        s.add(ChannelDelivery(webhook_id=webhook_id, body_sha256=digest, booking_id=booking.id,
                              received_at=clock.now()))
        trail.record(s, CALLER, AuditAction.API_BOOKING, booking_id=booking.id, client_id=booking.client_id,
                     detail=f"POST /api/v1/bookings: 201, webhook-id {webhook_id}, {created.messages} messages queued")
        s.flush()  # a second server's copy of this webhook id fails here, before anything is committed
        return Answer(201, _created(booking.id))


def _created(booking_id: int) -> dict[str, Any]:
    """The answer to a delivery, the same when it is retried (the status URL says where it stands now)."""
    return {"id": booking_id, "status": "unconfirmed", "status_url": status_url(booking_id)}


def booking_status(booking_id: int, headers: Mapping[str, str]) -> Answer:
    """Where a booking the channel delivered stands. Others (entered by hand, imported) are not found."""
    with unit_of_work(write=True) as s:
        if problem := signature_problem(s, b"", headers):
            trail.record(s, CALLER, AuditAction.API_REFUSED, detail=f"GET /api/v1/bookings/{booking_id}: 401, {problem}")
            return Answer(401, UNAUTHORIZED)
        row = s.execute(select(Booking.id, Booking.status, Booking.starts_at, Booking.duration_minutes)
                        .join(ChannelDelivery, ChannelDelivery.booking_id == Booking.id)
                        .where(Booking.id == booking_id)).first()
        trail.record(s, CALLER, AuditAction.API_STATUS, booking_id=row and row.id,
                     detail=f"GET /api/v1/bookings/{booking_id}: {200 if row else 404}")
    if row is None:
        return Answer(404, {"error": "not_found"})
    return Answer(200, {"id": row.id, "status": STATUS_WORDS[row.status],
                        "starts_at": row.starts_at.isoformat() + "+00:00", "duration_minutes": row.duration_minutes})
