"""CSV files for the import tests, written the way the booking channel (or a spreadsheet) writes them."""
from __future__ import annotations

import csv
import io

from lib.imports.rows import COLUMNS

GOOD_ROW = dict(therapist="alice", client_name="Hannah Whitfield", client_email="hannah@example.org",
                client_phone="", session_type="individual", attendees="", starts_at="2026-12-01T14:00+00:00",
                duration_minutes="50", delivery="online", video_service="Zoom", address="", requested_at="")


def row(**changes) -> dict:
    return {**GOOD_ROW, **changes}


def csv_bytes(rows: list[dict], columns=COLUMNS, line_end: str = "\n", encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)
