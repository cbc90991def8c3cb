"""Backups that are proven to restore: seed, back up, wipe, restore, compare every table row for row."""
from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from lib.__main__ import main
from lib.audit import chain as audit_chain
from lib.bookings import answers
from lib.bookings import dashboard as bookings
from lib.core import db
from lib.core.models import Base
from lib.lifecycle import backup
from tests.factories import assess, book

SECRET_WORDS = "the kettle whistles and my chest goes tight"


def _seed(practice) -> None:
    first = book(practice.alice, "Hannah Whitfield")
    assess(first, phq9=[1, 2, 0, 1, 3, 0, 1, 2, 1], gad7=[2] * 7, help_with=["Anxiety"], free_text=SECRET_WORDS)
    bookings.confirm(practice.alice, first, 1)
    second = book(practice.bob, "Chen Wei", client_phone="+447911123999")
    answers.cancel(practice.bob, second, 1, "Client asked")


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, as the database stores it."""
    found = {}
    with db.engine(url).connect() as conn:
        for t in Base.metadata.sorted_tables:
            cols = ", ".join(f'"{c.name}"' for c in t.columns)
            keys = ", ".join(f'"{c.name}"' for c in t.primary_key.columns)
            found[t.name] = [tuple(r) for r in conn.execute(text(f'SELECT {cols} FROM "{t.name}" ORDER BY {keys}'))]
    return found


def _wipe(url: str) -> None:
    db.dispose_all()
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink()
        for extra in ("-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + extra).unlink(missing_ok=True)
        return
    with db.engine(url).begin() as conn:
        tables = list(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")))
        for t in tables:
            conn.exec_driver_sql(f'DROP TABLE "{t}" CASCADE')
    db.dispose_all()


def _same_after_restore(before: dict, url: str) -> None:
    after = _snapshot(url)
    restored_entry = after["audit_log"].pop()  # the restore itself is recorded, after everything restored
    assert "restore" in restored_entry
    after.pop("audit_chain_head"), before.pop("audit_chain_head")
    assert after == before
    assert audit_chain.verify(url).ok


def test_backup_wipe_restore_gives_back_every_row(practice, db_url, tmp_path, capsys):
    _seed(practice)
    copy = tmp_path / "practice.backup"
    assert main(["backup", str(copy)]) == 0
    before = _snapshot(db_url)
    assert sum(len(rows) for rows in before.values()) > 20
    _wipe(db_url)
    assert main(["restore", str(copy)]) == 0
    _same_after_restore(before, db_url)
    assert "restored" in capsys.readouterr().out


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(practice, db_url, tmp_path, capsys):
    _seed(practice)
    copy = tmp_path / "practice.backup"
    backup.backup(copy)
    before = _snapshot(db_url)
    book(practice.alice, "Someone Later")  # made after the backup
    assert main(["restore", str(copy)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert len(_snapshot(db_url)["bookings"]) == 3  # nothing was touched
    assert main(["restore", str(copy), "--force"]) == 0
    _same_after_restore(before, db_url)


def test_an_encrypted_backup_shows_nothing_in_plain_text_and_restores(practice, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv(backup.KEY_ENV, Fernet.generate_key().decode())
    _seed(practice)
    copy = tmp_path / "practice.backup"
    assert backup.backup(copy).encrypted
    raw = copy.read_bytes()
    assert b"Hannah" not in raw and b"Whitfield" not in raw and b"SQLite format" not in raw and b"PGDMP" not in raw
    before = _snapshot(db_url)
    _wipe(db_url)
    backup.restore(copy)
    _same_after_restore(before, db_url)


def test_a_cut_short_or_wrong_key_backup_is_refused_and_changes_nothing(practice, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv(backup.KEY_ENV, Fernet.generate_key().decode())
    _seed(practice)
    copy = tmp_path / "practice.backup"
    backup.backup(copy)
    before = _snapshot(db_url)
    cut = tmp_path / "cut.backup"
    cut.write_bytes(copy.read_bytes()[: len(copy.read_bytes()) // 2])
    with pytest.raises(backup.BackupFailed):
        backup.restore(cut, force=True)
    monkeypatch.setenv(backup.KEY_ENV, Fernet.generate_key().decode())
    with pytest.raises(backup.BackupFailed, match="can't be decrypted"):
        backup.restore(copy, force=True)
    assert _snapshot(db_url) == before


def _dump(url: str) -> str:
    """The whole database as SQL text, as an administrator would dump it."""
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()
    import subprocess

    return subprocess.run([backup.pg_tool("pg_dump"), "--format=plain"], env=backup._pg_env(url),
                          capture_output=True, text=True, check=True).stdout


def test_a_database_dump_shows_no_assessment_answer(practice, db_url):
    """Encryption at rest: a dump holds the client's words and answers only as ciphertext."""
    _seed(practice)
    dump = _dump(db_url)
    assert "Whitfield" in dump  # names are plain in a dump, so the next checks mean something
    assert SECRET_WORDS not in dump and "kettle" not in dump and "Anxiety" not in dump
    assert "[1, 2, 0, 1, 3, 0, 1, 2, 1]" not in dump
    with db.engine(db_url).connect() as conn:
        stored = conn.execute(text("SELECT phq9, free_text FROM assessments")).one()
    assert stored.phq9.startswith("gAAAA") and stored.free_text.startswith("gAAAA")  # Fernet tokens
