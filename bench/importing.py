"""CSV import speed against its floor: the same rows bulk-inserted with no checks, in the same run.

The import reads a 100,000-row file (BENCH_IMPORT_ROWS to change), checks every value and
writes bookings, clients, relationships, attendees, events and outbox messages into a
fresh database. The floor writes exactly the rows the import wrote (read back from its
database beforehand) into another fresh database with plain chunked Core inserts: no
parsing, no checks, no look-ups, no message rendering. `import_vs_plain_insert` is the
import's rows per second divided by the floor's (1.0 would mean the checks are free).
"""
from __future__ import annotations

import csv
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bench.data import PG_ADMIN_URL, drop_postgres, fresh_postgres, fresh_sqlite
from lib.core import db
from lib.core.models import Attendee, Booking, BookingEvent, Client, ClientToken, Notification, Relationship, User
from lib.imports import importer
from lib.imports.rows import COLUMNS

# Client links are signed; a throw-away key for the bench databases (never a real practice's).
os.environ.setdefault("BOOKING_DESK_SECRET", "bench-only-secret-" + "0123456789abcdef" * 2)
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
REPEATS = int(os.environ.get("BENCH_IMPORT_REPEATS", "2"))
THERAPISTS = 200
CHUNK = importer.CHUNK
TABLES = [Client, Relationship, Booking, Attendee, BookingEvent, ClientToken, Notification]
FIRST = ["Ava", "Benoît", "Cara", "Dev", "Éla", "Finn", "Gita", "Hugo", "Isla", "Jon", "Kira", "Léo", "Mia", "Noor"]
LAST = ["Adams", "Baker", "Clarke", "Dunn", "Evans", "Ford", "Gill", "Hart", "Iqbal", "Jones", "Khan", "Müller"]
SERVICES = ["Zoom", "Google Meet", "Microsoft Teams"]


def run(report) -> None:
    path = write_csv(Path(tempfile.mkdtemp(prefix="bd-import-")) / "bookings.csv", ROWS)
    print(f"  {ROWS:,} rows, {path.stat().st_size / 1e6:.1f} MB; best of {REPEATS}, import and floor taking turns",
          flush=True)
    _compare(report, "", lambda: (fresh_sqlite("import"), fresh_sqlite("floor")), path)
    if _postgres_reachable():
        _compare(report, "_postgres", lambda: (_postgres_db(), _postgres_db()), path)
        _drop_postgres()


def _compare(report, suffix: str, fresh_pair, path: Path) -> None:
    """Import, then the floor, REPEATS times on fresh databases; the best time of each counts."""
    imports, floors = [], []  # (wall seconds, this process's CPU seconds)
    for _ in range(REPEATS):
        import_url, floor_url = fresh_pair()
        for url in (import_url, floor_url):
            add_therapists(url)
        with path.open("rb") as stream, _Timer(imports):
            result = importer.import_stream(stream, "bench", path.name, url=import_url)
        assert result.bookings == ROWS and not result.problems, result.summary()
        rows = read_back(import_url)
        with _Timer(floors):
            plain_insert(floor_url, rows)
        for url in (import_url, floor_url):
            db.engine(url).dispose()
    (import_s, import_cpu), (floor_s, floor_cpu) = min(imports), min(floors)
    written = sum(len(r) for r in rows.values())
    label = "PostgreSQL" if suffix else "SQLite"
    print(f"  {label}: import {ROWS / import_s:,.0f} rows/s ({import_s:.1f} s, {import_cpu:.1f} s CPU here, "
          f"{written:,} database rows); plain insert {ROWS / floor_s:,.0f} rows/s ({floor_s:.1f} s, "
          f"{floor_cpu:.1f} s CPU here)", flush=True)
    report(f"import_rows_per_second{suffix}", ROWS / import_s)
    report(f"plain_insert_rows_per_second{suffix}", ROWS / floor_s)
    report(f"import_vs_plain_insert{suffix}", floor_s / import_s)
    if not suffix:
        # SQLite works inside this process, so CPU time is the same comparison, unmoved by other busy processes.
        report("import_vs_plain_insert_cpu", min(c for _, c in floors) / min(c for _, c in imports))


class _Timer:
    def __init__(self, into: list):
        self.into = into

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc):
        self.into.append((time.perf_counter() - self.wall, time.process_time() - self.cpu))


def write_csv(path: Path, rows: int, seed: int = 11) -> Path:
    """A booking channel export: repeat clients, phones, couples and groups, accents, quoted commas."""
    rnd = random.Random(seed)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    clients = [(f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", f"client{i}@mail.example.com",
                f"+44 7400 {rnd.randrange(100000, 999999)}" if rnd.random() < 0.5 else "")
               for i in range(max(1, rows // 3))]
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for i in range(rows):
            name, email, phone = rnd.choice(clients)
            kind = rnd.choice(["individual"] * 7 + ["couple", "couple", "family", "group"])
            people = [name] if kind == "individual" else [name] + [f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                                                                  for _ in range(rnd.randint(1, 3))]
            online = rnd.random() < 0.7
            # Unique starts per row: an hour slot offset by the row number keeps the duplicate rule quiet.
            starts = now + timedelta(days=2 + i % 300, minutes=15 * (i // 300 % 40))
            requested = now - timedelta(minutes=rnd.randrange(1, 4000))
            out.writerow([
                f"bench{rnd.randrange(THERAPISTS):04d}", name, email, phone, kind, "; ".join(people),
                starts.isoformat(), rnd.choice([50, 50, 60, 90]), "online" if online else "in_person",
                rnd.choice(SERVICES) if online else "", "" if online else "12 Harley Street, London W1G 9PF",
                requested.isoformat(),
            ])
    return path


def add_therapists(url: str) -> None:
    with db.engine(url).begin() as conn:
        conn.execute(insert(User), [
            dict(username=f"bench{i:04d}", name=f"Therapist {i}", email=f"bench{i}@practice.example.com",
                 role="therapist", password_hash="x", timezone="Europe/London", active=True,
                 sms_opt_in=i % 2 == 0, sms_phone="+447400123456" if i % 2 == 0 else None,
                 created_at=datetime(2026, 1, 1))
            for i in range(THERAPISTS)])


def read_back(url: str) -> dict:
    with db.engine(url).connect() as conn:
        return {m: [dict(r._mapping) for r in conn.execute(select(m.__table__).order_by(m.__table__.c.id))]
                for m in TABLES}


def plain_insert(url: str, rows: dict) -> None:
    """The floor: the import's rows, inserted in chunks in one transaction, nothing else."""
    with db.engine(url).begin() as conn:
        for model in TABLES:
            values = rows[model]
            for lo in range(0, len(values), CHUNK):
                conn.execute(insert(model.__table__), values[lo:lo + CHUNK])


_pg_urls: list[str] = []


def _postgres_reachable() -> bool:
    import sqlalchemy as sa

    try:
        with sa.create_engine(PG_ADMIN_URL).connect():
            return True
    except Exception as exc:
        print(f"  PostgreSQL not reachable, skipped: {exc}")
        return False


def _postgres_db() -> str:
    url = fresh_postgres()
    _pg_urls.append(url)
    return url


def _drop_postgres() -> None:
    while _pg_urls:
        drop_postgres(_pg_urls.pop())
