"""python -m lib users reset-password / users unlock, as an operator runs them."""
import pytest
from sqlalchemy import select

from lib.__main__ import main
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import AuditEntry, Notification
from lib.people import auth


def test_users_unlock_lets_a_locked_person_sign_in_again(practice, capsys):
    for _ in range(5):
        with pytest.raises(InvalidInput):
            auth.verify_login("bob", "wrong-password-123")
    assert auth.is_locked("bob")
    assert main(["users", "unlock", "bob"]) == 0
    assert "Bob Okafor can sign in again" in capsys.readouterr().out
    assert not auth.is_locked("bob")
    with unit_of_work() as s:
        assert s.scalar(select(AuditEntry.username).where(AuditEntry.action == "unlocked")) == "command line"


def test_users_reset_password_queues_a_link_and_says_honestly_whether_it_is_sent(practice, capsys, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    assert main(["users", "reset-password", "alice"]) == 0
    out = capsys.readouterr().out
    assert "alice@practice.example" in out and "will not be sent" in out
    with unit_of_work() as s:
        [mail] = s.scalars(select(Notification).where(Notification.template == "reset_password")).all()
    assert mail.recipient == "alice@practice.example" and "set-password?token=" in mail.body_text
    assert "24 hours" in mail.body_text


def test_unknown_usernames_are_refused(practice, capsys):
    assert main(["users", "unlock", "nobody"]) == 2
    assert "couldn't find that person" in capsys.readouterr().err
