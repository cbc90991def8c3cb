"""Importing the booking channel's CSV export: every row checked, all or nothing, in one pass.

Rows are checked and written chunk by chunk inside one transaction; after the first bad
row nothing more is written, the rest is still checked, and the transaction is rolled
back, so a bad file imports nothing and lists every bad row.

Re-importing a file: a row that matches a stored booking (same therapist, client email
and start) is "already imported". When that is true of every row, the import is a calm
no-op ("all N sessions were already imported"), not a failure: a practice manager who
uploads yesterday's file again has done nothing wrong. When only some rows match, the
file is refused like any other bad file, with those rows listed.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select

from lib.audit import trail
from lib.core import clock
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import User
from lib.core.vocabulary import AuditAction
from lib.imports.rows import BadFile, CsvFile, Problem, check_values, forget_contacts
from lib.imports.writer import BulkWriter
from lib.practice.rules import Rules

CHUNK = 2000
# Imports and manual entries take this PostgreSQL lock, so two at once can't both add the same booking
# (on SQLite the write transaction already runs alone).
NEW_BOOKINGS_LOCK = 740_411_001

Progress = Callable[[int, float | None], None]  # rows checked so far, fraction of the file read


@dataclass
class ImportReport:
    rows: int = 0
    bookings: int = 0
    clients: int = 0
    messages: int = 0
    already_imported: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def nothing_new(self) -> bool:
        """Every row was already imported: the calm re-import case."""
        return not self.problems and self.rows > 0 and self.already_imported == self.rows

    @property
    def bad_rows(self) -> int:
        return len({p.line for p in self.problems})

    def summary(self) -> str:
        if self.problems:
            rows = "1 row has a problem" if self.bad_rows == 1 else f"{self.bad_rows:,} rows have problems"
            return (f"Nothing was imported: {rows}. Fix {'it' if self.bad_rows == 1 else 'them'} "
                    "and import the whole file again.")
        if self.nothing_new:
            what = "The session in this file was" if self.rows == 1 else f"All {self.rows:,} sessions in this file were"
            return f"{what} already imported. Nothing was added and no messages were sent."
        return (f"Imported {_n(self.bookings, 'session')}: {_n(self.clients, 'new client')}, "
                f"{_n(self.messages, 'message')} queued for clients and therapists.")

    def ignored_note(self) -> str | None:
        if not self.ignored_columns:
            return None
        return f"These columns aren't used and were ignored: {', '.join(self.ignored_columns)}."


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def import_csv(actor: Actor, stream: BinaryIO, source: str = "upload",
               progress: Progress | None = None) -> ImportReport:
    """A practice manager imports a CSV file (a binary stream). Raises BadFile for an unreadable file."""
    actor = require_manager(actor)
    return import_stream(stream, actor.username, source, progress)


def import_stream(stream: BinaryIO, username: str, source: str, progress: Progress | None = None,
                  url: str | None = None) -> ImportReport:
    """The import itself, for the page (after the manager check) and the command line."""
    report = ImportReport()
    with unit_of_work(write=True, url=url) as s:
        lock_new_bookings(s)
        csv_file = CsvFile(stream)
        report.ignored_columns = csv_file.ignored
        therapists = {u.username: u for u in s.scalars(select(User))}
        writer = BulkWriter(s, Rules.load(s))
        seen: dict[tuple[int, str, object], int] = {}
        chunk: list[tuple[int, User, object]] = []

        def flush() -> None:
            _check_and_write(chunk, writer, seen, report)
            chunk.clear()
            if progress:
                progress(report.rows, csv_file.fraction_read())

        try:
            _read_all(csv_file, therapists, report, chunk, flush)
        finally:
            csv_file.release()
            forget_contacts()
        flush()
        if report.rows == 0:
            raise BadFile("The file has a header line but no bookings under it.")
        if report.problems:
            s.rollback()  # nothing of this file is kept
            if report.already_imported == report.rows:
                report.problems = []  # a re-import of the same file: nothing new, nothing wrong
            return report
        report.bookings, report.clients, report.messages = writer.bookings, writer.new_clients, writer.messages
        trail.record(s, username, AuditAction.IMPORT_BOOKINGS, detail=f"{report.summary()} File: {source}"[:500])
    return report


def _read_all(csv_file: CsvFile, therapists: dict, report: ImportReport, chunk: list, flush) -> None:
    now = clock.now()  # one "now" for the whole file: rows without requested_at were all requested at once
    for record in csv_file.records():
        report.rows += 1
        if record.problem:  # the values are out of place: checking them would only confuse
            report.problems.append(Problem(record.line, None, record.problem))
        else:
            req, problems = check_values(record.values, therapists, record.line, now=now)
            if problems:
                report.problems += problems
            else:
                assert req is not None  # check_values gives a request whenever it finds no problem
                chunk.append((record.line, therapists[req.therapist_username], req))
        if report.rows % CHUNK == 0:
            flush()


def _check_and_write(chunk, writer: BulkWriter, seen: dict, report: ImportReport) -> None:
    """The duplicate rule for a chunk of checked rows, then the write (while the file is still good)."""
    if not chunk:
        return
    stored = writer.existing_bookings([(t, req) for _, t, req in chunk])
    good = []
    for line, therapist, req in chunk:
        key = (therapist.id, req.client_email, req.starts_at)
        if key in seen:
            report.problems.append(Problem(line, "starts_at", (
                f"The same session (therapist, client email and start) is already on line {seen[key]}.")))
            continue
        seen[key] = line
        if key in stored:
            report.already_imported += 1
            report.problems.append(Problem(line, "starts_at", (
                f"Already imported: {therapist.username} already has session #{stored[key]} with "
                f"{req.client_email} at this time.")))
            continue
        good.append((therapist, req))
    if good and not report.problems:
        writer.write(good)


def lock_new_bookings(s) -> None:
    """Wait for any other import or manual entry to finish (until this transaction ends)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(NEW_BOOKINGS_LOCK)))


# --- command line: python -m lib import-bookings FILE.csv ---

def main(path: str) -> int:
    """Import a file; prints a progress line and a summary. Exit 0 when imported (or nothing new), 1 otherwise."""
    file = Path(path)
    if not file.is_file():
        print(f"error: there is no file {path}", file=sys.stderr)
        return 1
    interactive = sys.stdout.isatty()
    shown = [0.0]

    def progress(rows: int, fraction: float | None) -> None:
        pct = f" ({fraction:.0%})" if fraction is not None else ""
        if interactive:
            print(f"\rchecked {rows:,} rows{pct}", end="", flush=True)
        elif fraction is None or fraction - shown[0] >= 0.1 or fraction >= 1:
            shown[0] = fraction or 0.0
            print(f"checked {rows:,} rows{pct}", flush=True)

    print(f"importing {file.name}", flush=True)
    try:
        with file.open("rb") as stream:
            report = import_stream(stream, "command line", file.name, progress)
    except InvalidInput as exc:
        print(("\n" if interactive else "") + f"error: {exc.message}", file=sys.stderr)
        return 1
    if interactive:
        print()
    print(report.summary())
    if note := report.ignored_note():
        print(note)
    for p in report.problems:
        column = f" ({p.column})" if p.column else ""
        print(f"  line {p.line}{column}: {p.message}")
    return 1 if report.problems else 0
