"""Files people really have: byte-order marks, Windows line endings, quoted commas and new lines, accents,
extra columns, semicolons, and files that can't be bookings at all."""
import io

import pytest
from sqlalchemy import select

from lib.core.db import unit_of_work
from lib.core.models import Booking, Client
from lib.imports import importer
from lib.imports.rows import COLUMNS, BadFile
from tests.integration.import_data import csv_bytes, row


def _import(practice, content: bytes):
    return importer.import_csv(practice.morgan, io.BytesIO(content), "export.csv")


def _stored() -> list[tuple]:
    with unit_of_work() as s:
        return [(b.client.name, b.address, [a.name for a in b.attendees])
                for b in s.scalars(select(Booking).order_by(Booking.id))]


ACCENTED = [row(client_name="Zoë Lambert-Núñez", client_email="zoe@example.org", session_type="family",
                attendees="Zoë Lambert-Núñez; Łukasz Nowak; Søren Ødegaard", delivery="in_person",
                address="Flat 2, 14 Rue de l'Église\nLondon, N1 7AA", video_service="")]


@pytest.mark.parametrize("encoding,line_end", [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("utf-8-sig", "\n"),
                                               ("utf-8", "\r\n")])
def test_bom_and_line_endings_make_no_difference(sqlite_practice, encoding, line_end):
    report = _import(sqlite_practice, csv_bytes(ACCENTED, line_end=line_end, encoding=encoding))
    assert report.bookings == 1, report.problems
    name, address, attendees = _stored()[0]
    assert name == "Zoë Lambert-Núñez"
    assert address.replace("\r\n", "\n") == "Flat 2, 14 Rue de l'Église\nLondon, N1 7AA"
    assert attendees == ["Zoë Lambert-Núñez", "Łukasz Nowak", "Søren Ødegaard"]


def test_a_bad_row_after_a_multi_line_record_gets_the_line_where_it_starts(sqlite_practice):
    rows = [row(delivery="in_person", video_service="", address="1 High St\nFloor 2\nLondon"),  # lines 2-4
            row(client_email="broken", starts_at="2026-12-02T10:00+00:00"),  # line 5
            row(client_name="Ann, the second\nof that name", client_email="x",  # lines 6-7
                starts_at="2026-12-03T10:00+00:00")]
    report = _import(sqlite_practice, csv_bytes(rows, line_end="\r\n"))
    assert [(p.line, p.column) for p in report.problems] == [(5, "client_email"), (6, "client_email")]


def test_blank_lines_are_skipped_but_counted(sqlite_practice):
    content = csv_bytes([row()]) + b"\n,,,,,,,,,,,\n" + csv_bytes([row(therapist="nobody")]).split(b"\n", 1)[1]
    report = _import(sqlite_practice, content)
    assert [(p.line, p.column) for p in report.problems] == [(5, "therapist")]


def test_extra_columns_are_ignored_and_named(sqlite_practice):
    columns = ("Notes",) + COLUMNS + ("source", "")
    report = _import(sqlite_practice, csv_bytes([row(Notes="prefers mornings", source="web")], columns=columns))
    assert report.bookings == 1
    assert report.ignored_columns == ["Notes", "source"]
    assert report.ignored_note() == "These columns aren't used and were ignored: Notes, source."


def test_header_names_in_other_case_and_optional_columns_left_out(sqlite_practice):
    columns = [c for c in COLUMNS if c not in ("client_phone", "address", "requested_at")]
    content = csv_bytes([row()], columns=columns).replace(b"client_email", b"Client Email", 1)
    assert _import(sqlite_practice, content).bookings == 1


def test_semicolon_separated_files_from_european_spreadsheets(sqlite_practice):
    out = io.StringIO()
    out.write(";".join(COLUMNS) + "\r\n")
    out.write(";".join('"Zoë; Ann"' if c == "attendees" else row(session_type="couple").get(c, "") for c in COLUMNS))
    report = _import(sqlite_practice, out.getvalue().encode("utf-8-sig"))
    assert report.bookings == 1, report.problems
    assert _stored()[0][2] == ["Zoë", "Ann"]


def test_a_row_with_too_many_values_is_reported_once(sqlite_practice):
    content = csv_bytes([row()]) + b"alice,Ann,ann@example.org,,individual,,2026-12-01T14:00+00:00,50,online,Zoom,,,x\n"
    report = _import(sqlite_practice, content)
    assert len(report.problems) == 1 and report.problems[0].line == 3
    assert "13 values but the header has 12 columns" in report.problems[0].message


@pytest.mark.parametrize("content,words", [
    (b"", "The file is empty"),
    (b"\r\n\r\n", "The file is empty"),
    (",".join(COLUMNS).encode() + b"\r\n", "header line but no bookings"),
    ("\ufeff".encode() + ",".join(COLUMNS).encode(), "header line but no bookings"),
    (b"name,email\nHannah,h@example.org\n", "these are missing: therapist, client_name, client_email"),
    (",".join(COLUMNS + ("therapist",)).encode() + b"\n", "appear more than once: therapist"),
    (csv_bytes([row(client_name="Zoë Lambert")], encoding="cp1252"), "isn't UTF-8"),
])
def test_files_that_are_not_bookings_get_a_clear_message_and_import_nothing(sqlite_practice, content, words):
    with pytest.raises(BadFile) as caught:
        _import(sqlite_practice, content)
    assert words in caught.value.message
    with unit_of_work() as s:
        assert s.scalars(select(Client)).all() == []


def test_a_non_utf8_character_deep_in_a_large_file_imports_nothing(sqlite_practice, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 10)
    rows = [row(client_email=f"c{i}@example.org", starts_at=f"2026-12-{1 + i // 24:02d}T{i % 24:02d}:00+00:00")
            for i in range(300)]
    content = csv_bytes(rows) + "Zoë".encode("cp1252")
    with pytest.raises(BadFile, match="isn't UTF-8"):
        _import(sqlite_practice, content)
    with unit_of_work() as s:
        assert s.scalars(select(Booking)).all() == []
