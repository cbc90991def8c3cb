"""The bookings API described as OpenAPI 3.1 (served at /api/v1/openapi.json)."""
from __future__ import annotations

from lib.booking_api.service import MAX_BODY, STATUS_WORDS
from lib.imports.rows import DELIVERIES, MAX_MINUTES, MIN_MINUTES, SESSION_TYPES

_SIGNED = [{"$ref": f"#/components/parameters/{name}"} for name in ("webhook-id", "webhook-timestamp",
                                                                    "webhook-signature")]
_ERROR = {"$ref": "#/components/schemas/Error"}


def _answer(description: str, schema: dict | None = None) -> dict:
    answer: dict = {"description": description}
    if schema:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _text(description: str, **more) -> dict:
    return {"type": "string", "description": description, **more}


BOOKING = {
    "type": "object", "additionalProperties": False,
    "required": ["therapist", "client_name", "client_email", "session_type", "starts_at", "duration_minutes",
                 "delivery"],
    "properties": {
        "therapist": _text("The therapist's username in Booking Desk."),
        "client_name": _text("The client's name.", maxLength=200),
        "client_email": _text("The client's email address.", format="email"),
        "client_phone": _text("The client's phone number, international format preferred (+44 ...)."),
        "session_type": {"type": "string", "enum": list(SESSION_TYPES)},
        "attendees": {"description": "Names of the attendees: a list, or names separated by ';'. An individual "
                                     "session may leave it out (the client); others need two or more.",
                      "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
        "starts_at": _text("ISO 8601 with an offset, in the future.", format="date-time"),
        "duration_minutes": {"type": "integer", "minimum": MIN_MINUTES, "maximum": MAX_MINUTES},
        "delivery": {"type": "string", "enum": list(DELIVERIES)},
        "video_service": _text("Needed when delivery is online (for example Zoom).", maxLength=200),
        "address": _text("Needed when delivery is in_person.", maxLength=500),
        "requested_at": _text("When the client asked (ISO 8601 with an offset); default: now.", format="date-time"),
    },
}

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Booking Desk bookings API", "version": "1",
             "description": "What the practice's booking channel calls. Every request is signed per the Standard "
                            "Webhooks specification with the channel's secret (docs/booking-api.md)."},
    "paths": {
        "/api/v1/bookings": {"post": {
            "summary": "Deliver one new booking",
            "description": "Checked as a row of the CSV import. Retrying with the same webhook-id and body answers "
                           "the first answer again (header Idempotent-Replayed: true) and creates nothing.",
            "parameters": _SIGNED,
            "requestBody": {"required": True, "content": {"application/json": {"schema": BOOKING}}},
            "responses": {
                "201": _answer("Created (or a retry of a delivery that created it).",
                               {"$ref": "#/components/schemas/Created"}),
                "401": _answer("The signature or its timestamp is not accepted. Nothing more is said.", _ERROR),
                "409": _answer("A duplicate (this client already has this session), the therapist is not free, "
                               "or this webhook-id was used for a different body.", _ERROR),
                "413": _answer(f"The body is larger than {MAX_BODY // 1024} KB.", _ERROR),
                "422": _answer("Every problem, field by field.", {"$ref": "#/components/schemas/Invalid"}),
                "429": _answer("Too many calls; try again after the Retry-After header's seconds.", _ERROR),
            }}},
        "/api/v1/bookings/{id}": {"get": {
            "summary": "Where a delivered booking stands",
            "description": "Signed like a delivery, over an empty body. Only bookings this channel delivered.",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}, *_SIGNED],
            "responses": {
                "200": _answer("The booking's status.", {"$ref": "#/components/schemas/Status"}),
                "401": _answer("The signature or its timestamp is not accepted.", _ERROR),
                "404": _answer("No booking delivered by this channel has this id.", _ERROR),
                "429": _answer("Too many calls.", _ERROR),
            }}},
    },
    "components": {
        "parameters": {
            "webhook-id": {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"},
                           "description": "Unique per delivery; the same on a retry (the idempotency key)."},
            "webhook-timestamp": {"name": "webhook-timestamp", "in": "header", "required": True,
                                  "schema": {"type": "integer"},
                                  "description": "Unix seconds; refused when more than 5 minutes from now."},
            "webhook-signature": {"name": "webhook-signature", "in": "header", "required": True,
                                  "schema": {"type": "string"},
                                  "description": "v1,<base64 HMAC-SHA256 of 'id.timestamp.body'>; several may be "
                                                 "given, separated by spaces."},
        },
        "schemas": {
            "Created": {"type": "object", "properties": {
                "id": {"type": "integer"}, "status": {"type": "string", "enum": sorted(set(STATUS_WORDS.values()))},
                "status_url": {"type": "string", "format": "uri"}}},
            "Status": {"type": "object", "properties": {
                "id": {"type": "integer"}, "status": {"type": "string", "enum": sorted(set(STATUS_WORDS.values()))},
                "starts_at": {"type": "string", "format": "date-time"}, "duration_minutes": {"type": "integer"}}},
            "Invalid": {"type": "object", "properties": {
                "error": {"const": "invalid"},
                "problems": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": ["string", "null"]}, "message": {"type": "string"}}}}}},
            "Error": {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
}
