"""`python -m lib import-bookings FILE.csv`: a progress line, a summary, and a non-zero exit for a bad file."""
from sqlalchemy import func, select

from lib.__main__ import main
from lib.core.db import unit_of_work
from lib.core.models import Booking
from tests.integration.import_data import csv_bytes, row


def _bookings() -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(Booking))


def _file(tmp_path, rows, name="export.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, line_end="\r\n", encoding="utf-8-sig"))
    return str(path)


def test_good_file_prints_progress_and_a_summary(sqlite_practice, tmp_path, capsys):
    path = _file(tmp_path, [row(), row(client_email="grace@example.org", client_name="Grace O'Neill")])
    assert main(["import-bookings", path]) == 0
    out = capsys.readouterr().out
    assert "importing export.csv" in out
    assert "checked 2 rows (100%)" in out
    assert "Imported 2 sessions: 2 new clients, 6 messages queued" in out
    assert _bookings() == 2


def test_bad_file_lists_every_bad_row_and_exits_non_zero(sqlite_practice, tmp_path, capsys):
    path = _file(tmp_path, [row(client_email="nope"), row(), row(therapist="carol", starts_at="2026-12-02T09:00Z")])
    assert main(["import-bookings", path]) == 1
    out = capsys.readouterr().out
    assert "Nothing was imported: 2 rows have problems" in out
    assert "  line 2 (client_email): 'nope' is not a valid email address" in out
    assert "  line 4 (therapist): There is no therapist with the username 'carol'." in out
    assert _bookings() == 0


def test_the_same_file_twice_exits_zero_and_says_nothing_was_new(sqlite_practice, tmp_path, capsys):
    path = _file(tmp_path, [row()])
    assert main(["import-bookings", path]) == 0
    assert main(["import-bookings", path]) == 0
    assert "The session in this file was already imported. Nothing was added" in capsys.readouterr().out
    assert _bookings() == 1


def test_unreadable_or_missing_files_get_a_message_not_a_traceback(sqlite_practice, tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["import-bookings", str(empty)]) == 1
    assert main(["import-bookings", str(tmp_path / "missing.csv")]) == 1
    err = capsys.readouterr().err
    assert "error: The file is empty." in err
    assert "error: there is no file" in err
