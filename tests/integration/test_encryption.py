"""Assessment answers at rest: encrypted with the practice's keys, rotated to a new key, and no start without one."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from lib.__main__ import main
from lib.bookings import detail as session_view
from lib.core import crypto, db
from tests.factories import assess, book


def _stored_free_text(url: str) -> str:
    with db.engine(url).connect() as conn:
        return conn.scalar(text("SELECT free_text FROM assessments"))


def test_the_therapist_reads_what_the_client_wrote_though_it_is_stored_encrypted(practice, db_url):
    bid = book(practice.alice)
    assess(bid, phq9=[0] * 8 + [2], help_with=["Sleep"], free_text="Nights are the worst")
    shown = session_view.get_for(practice.alice, bid).assessment
    assert shown.free_text == "Nights are the worst" and shown.help_with == ["Sleep"] and shown.risk
    assert "Nights" not in _stored_free_text(db_url)


def test_rotate_key_moves_every_answer_to_the_new_key(practice, db_url, monkeypatch, capsys):
    old = crypto.configured_keys()[0]
    bid = book(practice.alice)
    assess(bid, phq9=[1] * 9, free_text="Before the rotation")
    new = Fernet.generate_key().decode()
    monkeypatch.setenv(crypto.ENV, f"{new},{old}")
    assert main(["rotate-key"]) == 0
    assert "re-encrypted 1 assessments" in capsys.readouterr().out
    monkeypatch.setenv(crypto.ENV, new)  # the old key is gone: everything must still read
    assert Fernet(new.encode()).decrypt(_stored_free_text(db_url).encode()) == b"Before the rotation"
    assert session_view.get_for(practice.alice, bid).assessment.phq9 == [1] * 9


def test_rotation_with_a_missing_old_key_changes_nothing(practice, db_url, monkeypatch, capsys):
    bid = book(practice.alice)
    assess(bid, free_text="Kept as it was")
    before = _stored_free_text(db_url)
    monkeypatch.setenv(crypto.ENV, Fernet.generate_key().decode())
    assert main(["rotate-key"]) == 2
    assert "could not be decrypted" in capsys.readouterr().err
    assert _stored_free_text(db_url) == before


def test_without_a_key_the_app_refuses_to_start_but_the_demo_makes_its_own(monkeypatch, tmp_path):
    monkeypatch.delenv(crypto.ENV)
    monkeypatch.setattr(crypto, "DEMO_KEY_FILE", tmp_path / "demo-encryption.key")
    assert "BOOKING_DESK_ENCRYPTION_KEYS is not set" in crypto.problem(demo_in_use=False)
    with pytest.raises(crypto.KeyMissing):
        crypto.encrypt("anything")
    crypto.make_demo_key()
    assert crypto.problem(demo_in_use=True) is None
    assert crypto.problem(demo_in_use=False) is not None  # a real practice never runs on the demo's key
    assert crypto.decrypt(crypto.encrypt("demo words")) == "demo words"
    assert oct((tmp_path / "demo-encryption.key").stat().st_mode & 0o777) == "0o600"


def test_a_key_that_is_not_a_fernet_key_is_refused(monkeypatch):
    monkeypatch.setenv(crypto.ENV, "not-a-key")
    assert "not a Fernet key" in crypto.problem(demo_in_use=False)
