"""Reading the booking channel's CSV and checking one booking's values.

`check_values` is the single set of rules for a new booking: the importer applies it to
every row and the manual-entry form to what a manager typed, so both say the same thing.
The csv module (not pandas) reads the file because it can say on which line each record
starts, which a person needs when a quoted field spans several lines.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import BinaryIO

from lib.bookings.intake import NewBooking
from lib.core import clock
from lib.core.contacts import normalise_email, normalise_phone
from lib.core.errors import InvalidInput
from lib.core.models import User

COLUMNS = ("therapist", "client_name", "client_email", "client_phone", "session_type", "attendees", "starts_at",
           "duration_minutes", "delivery", "video_service", "address", "requested_at")
# Without these no row could be a booking; the others may be left out of the header.
REQUIRED = ("therapist", "client_name", "client_email", "session_type", "starts_at", "duration_minutes", "delivery")
SESSION_TYPES = ("individual", "couple", "family", "group")
DELIVERIES = ("online", "in_person")
MIN_MINUTES, MAX_MINUTES = 15, 240
LIMITS = {"client_name": 200, "video_service": 200, "address": 500}
NAME_LIMIT = 200  # each attendee
EXAMPLE_TIME = "2026-12-01T14:00+00:00"


class BadFile(InvalidInput):
    """The file as a whole can't be read (empty, no header, wrong columns, not UTF-8)."""


@dataclass(frozen=True)
class Problem:
    """Why one row (or one form field) can't become a booking."""

    line: int
    column: str | None
    message: str


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts (the header is line 1)
    values: dict[str, str]
    problem: str | None = None  # e.g. the wrong number of values


class CsvFile:
    """A CSV stream: its header, the columns it ignores, and its records one by one."""

    _size: int  # the stream's length, set when fraction_read first asks

    def __init__(self, stream: BinaryIO):
        self._binary = stream
        self._text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            self._read_header()
        except BadFile:
            self.release()
            raise
        self._wanted = [(i, c) for i, c in enumerate(self.columns) if c in COLUMNS]

    def _read_header(self) -> None:
        try:
            first = self._text.readline()
        except UnicodeDecodeError:
            raise BadFile(_NOT_UTF8.format(line=1)) from None
        if not first.strip():
            raise BadFile("The file is empty. Export the bookings again and upload the CSV file.")
        # Some spreadsheet programs separate columns with ';' where ',' is the decimal mark.
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = next(csv.reader([first], delimiter=delimiter))
        self.columns = [_column_name(h) for h in header]
        self.ignored = [h.strip() for h, c in zip(header, self.columns) if c and c not in COLUMNS]
        missing = [c for c in REQUIRED if c not in self.columns]
        if missing:
            raise BadFile(f"The first line should name the columns, but these are missing: {', '.join(missing)}. "
                          f"Expected columns: {', '.join(COLUMNS)}.")
        doubled = sorted({c for c in self.columns if c in COLUMNS and self.columns.count(c) > 1})
        if doubled:
            raise BadFile(f"These columns appear more than once: {', '.join(doubled)}.")
        self._reader = csv.reader(self._text, delimiter=delimiter)

    def release(self) -> None:
        """Let go of the stream without closing it (the caller owns it)."""
        self._text.detach()

    def fraction_read(self) -> float | None:
        """How far through the file we are (for a progress bar), if the stream can tell."""
        try:
            size = self._size
        except AttributeError:
            try:
                pos = self._binary.tell()
                self._binary.seek(0, io.SEEK_END)
                self._size = size = self._binary.tell()
                self._binary.seek(pos)
            except (OSError, ValueError):
                self._size = size = 0
        if not size:
            return None
        return min(1.0, self._binary.tell() / size)

    def records(self) -> Iterator[Record]:
        width = len(self.columns)
        last_line = 1
        rows = iter(self._reader)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise BadFile(_NOT_UTF8.format(line=last_line + 1)) from None
            except csv.Error as exc:
                raise BadFile(f"Line {last_line + 1} can't be read as CSV ({exc}).") from None
            start, last_line = last_line + 1, 1 + self._reader.line_num  # the header was read before the reader
            if not "".join(row).strip():
                continue  # blank lines, or ",,,," rows spreadsheets leave at the end
            values = {c: (row[i] if i < len(row) else "") for i, c in self._wanted}
            problem = None
            if len(row) != width:
                problem = (f"This row has {len(row)} values but the header has {width} columns "
                           "(a comma inside a value needs the value in double quotes).")
            yield Record(start, values, problem)


_NOT_UTF8 = ("The file isn't UTF-8 text (the first unreadable character is on or after line {line}). "
             "In Excel choose File › Save As › 'CSV UTF-8 (Comma delimited)' and upload that file.")


def _column_name(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


# --- checking one booking's values ---

def check_values(values: Mapping[str, str], therapists: Mapping[str, User], line: int = 0,
                 requested_by: str = "client", now: datetime | None = None) -> tuple[NewBooking | None, list[Problem]]:
    """A NewBooking from text values (a CSV row or a form), or every reason it can't be one.

    `therapists` maps every username (any role, active or not) to its user, for clear messages;
    `now` (default clock.now()) is when the request counts as made if it has no requested_at.
    """
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(line, column, message))

    def text(column: str) -> str:
        value = (values.get(column) or "").strip()
        if column in LIMITS and len(value) > LIMITS[column]:
            bad(column, f"Too long: at most {LIMITS[column]} characters.")
        return value

    username = text("therapist").lower()
    therapist = therapists.get(username)
    if not username:
        bad("therapist", "No therapist given.")
    elif therapist is None:
        bad("therapist", f"There is no therapist with the username '{username}'.")
    elif therapist.role != "therapist":
        bad("therapist", f"'{username}' is a practice manager, not a therapist.")
    elif not therapist.active:
        bad("therapist", f"'{username}' no longer works at the practice (their account is switched off).")

    name = text("client_name")
    if not name:
        bad("client_name", "No client name given.")
    email: str | None = text("client_email")
    if not email:
        bad("client_email", "No client email given.")
    else:
        email, error = _email(email)
        if error:
            bad("client_email", error)
    phone, error = _phone(text("client_phone"))
    if error:
        bad("client_phone", error)

    session_type = text("session_type").lower()
    if session_type not in SESSION_TYPES:
        bad("session_type", _choice("session type", session_type, SESSION_TYPES))
    attendees = _attendees(text("attendees"), name, session_type, bad)

    now = now or clock.now()
    starts_at = _when(text("starts_at"), "starts_at", "start time", bad)
    if starts_at is not None and starts_at <= now:
        bad("starts_at", f"The start time {values.get('starts_at', '').strip()} is in the past.")
    duration = _minutes(text("duration_minutes"), bad)

    delivery = text("delivery").lower().replace("-", "_").replace(" ", "_")
    video_service, address = text("video_service") or None, text("address") or None
    if delivery not in DELIVERIES:
        bad("delivery", _choice("delivery", delivery, DELIVERIES))
    elif delivery == "online" and not video_service:
        bad("video_service", "An online session needs a video service (for example Zoom).")
    elif delivery == "in_person" and not address:
        bad("address", "An in-person session needs an address.")

    requested_at: datetime | None = now
    if text("requested_at"):
        requested_at = _when(text("requested_at"), "requested_at", "request time", bad)
        if requested_at is not None and requested_at > now:
            bad("requested_at", "The request time is in the future.")

    if problems:
        return None, problems
    # each of these is None only after a problem was noted
    assert email is not None and starts_at is not None and duration is not None and requested_at is not None
    return NewBooking(
        therapist_username=username, client_name=name, client_email=email, client_phone=phone,
        session_type=session_type, attendees=attendees, starts_at=starts_at, duration_minutes=duration,
        delivery=delivery, video_service=video_service if delivery == "online" else None,
        address=address if delivery == "in_person" else None, requested_at=requested_at,
        requested_by=requested_by,
    ), []


def _attendees(value: str, client_name: str, session_type: str, bad) -> list[str]:
    names = [n.strip() for n in value.split(";") if n.strip()]
    if not names and session_type == "individual" and client_name:
        return [client_name]  # an individual session is the client's own
    if any(len(n) > NAME_LIMIT for n in names):
        bad("attendees", f"An attendee's name is longer than {NAME_LIMIT} characters.")
    if session_type == "individual" and len(names) > 1:
        bad("attendees", f"An individual session is for one person, but {len(names)} attendees are named. "
                         "Use couple, family or group for more.")
    elif session_type in SESSION_TYPES[1:] and len(names) < 2:
        bad("attendees", f"A {session_type} session needs at least two attendees (names separated by ';'); "
                         f"{'only one is' if names else 'none are'} named.")
    return names


def _when(value: str, column: str, label: str, bad) -> datetime | None:
    if not value:
        bad(column, f"No {label} given.")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        bad(column, f"'{value}' is not a date and time. Write it like {EXAMPLE_TIME} (ISO 8601 with the offset).")
        return None
    if parsed.tzinfo is None:
        bad(column, f"'{value}' has no time-zone offset, so the {label} is ambiguous. "
                    f"Write it like {EXAMPLE_TIME}.")
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None)


def _minutes(value: str, bad) -> int | None:
    try:
        number = float(value)
    except ValueError:
        bad("duration_minutes", f"'{value}' is not a number of minutes." if value else "No duration given.")
        return None
    if number != int(number) or not MIN_MINUTES <= number <= MAX_MINUTES:
        bad("duration_minutes", f"A session lasts {MIN_MINUTES} to {MAX_MINUTES} whole minutes; this says {value}.")
        return None
    return int(number)


def _choice(label: str, value: str, allowed: tuple[str, ...]) -> str:
    given = f"'{value}' is not a {label}" if value else f"No {label} given"
    return f"{given}: use one of {', '.join(allowed)}."


# Clients and phone numbers repeat across a file; the checks are the slow part of a row.
@lru_cache(maxsize=65536)
def _email(value: str) -> tuple[str | None, str | None]:
    try:
        return normalise_email(value, "client_email"), None
    except InvalidInput as exc:
        return None, exc.message


@lru_cache(maxsize=65536)
def _phone(value: str) -> tuple[str | None, str | None]:
    try:
        return normalise_phone(value, field="client_phone"), None
    except InvalidInput as exc:
        return None, exc.message + " Write it with the country code, like +44 7400 123456."


def forget_contacts() -> None:
    """Drop the remembered addresses and numbers: client details shouldn't outlive the import."""
    _email.cache_clear()
    _phone.cache_clear()
