"""/clients (managers): find a client, download their data, erase them after a confirmation naming what goes;
/audit says how far the chain is verified; the app refuses to start without an encryption key."""
from __future__ import annotations

from sqlalchemy import text

from lib.bookings import detail as session_view
from lib.core import crypto, db
from tests.app.helpers import app, open_page, texts
from tests.factories import assess, book


def _find(at, words: str):
    at.text_input(key="clients_query").input(words).run()
    return at


def test_a_manager_finds_a_client_and_downloads_their_data(sqlite_practice):
    bid = book(sqlite_practice.alice, "Hannah Whitfield", email="hannah@client.example")
    assess(bid, phq9=[1] * 9, free_text="Exams")
    session_view.get_for(sqlite_practice.alice, bid, "tab", record_view=True)
    at = _find(open_page("morgan", "clients.py"), "whit")
    assert not at.exception
    [option] = at.radio(key="clients_choice").options
    assert option.startswith("Hannah Whitfield · ") and "hannah" in option and option.endswith("· 1 session, last "
                                                                                              "session Thu 26 Nov 2026, 11:00 GMT")
    button = at.get("download_button")[0]
    assert button.proto.label == "Download their data (ZIP)"


def test_erasing_names_what_goes_and_needs_a_reason_and_a_yes(sqlite_practice):
    book(sqlite_practice.alice, "Hannah Whitfield", email="hannah@client.example")
    at = _find(open_page("morgan", "clients.py"), "Hannah")
    at.button(key="clients_erase_start").click().run()
    shown = texts(at)
    assert "Erase Hannah Whitfield?" in shown and "First, these sessions are cancelled" in shown
    assert "every answer, the topics chosen and what they wrote" in shown
    assert at.button(key="clients_erase_go").disabled
    at.selectbox(key="clients_erase_reason").select("client_request").run()
    at.checkbox(key="clients_erase_sure").check().run()
    at.button(key="clients_erase_go").click().run()
    assert not at.exception
    assert "The client's record was erased. 1 open session was cancelled" in texts(at)
    _find(at, "Hannah")
    assert "No client matches" in texts(at)
    with db.engine().connect() as conn:
        assert conn.scalar(text("SELECT name FROM clients")).startswith("Erased client")


def test_therapists_have_no_clients_page(sqlite_practice):
    at = open_page("alice", "clients.py")
    assert "This page is for practice managers" in texts(at) and not at.text_input


def test_the_retention_period_is_set_on_the_page(sqlite_practice):
    at = open_page("morgan", "clients.py")
    assert at.number_input(key="clients_years").value == 7
    at.number_input(key="clients_years").set_value(10)
    at.button[-1].click().run()
    assert "kept 10 years after their last session" in texts(at)


def test_the_audit_page_says_how_far_the_chain_is_verified(sqlite_practice):
    bid = book(sqlite_practice.alice)
    session_view.get_for(sqlite_practice.alice, bid, "tab", record_view=True)
    at = open_page("morgan", "audit.py")
    assert "Verified up to entry 1" in texts(at)
    with db.engine().begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET username = 'someone' WHERE seq = 1")
    at = open_page("morgan", "audit.py")
    assert "Verified up to entry 0 only" in texts(at) and "entry 1 was changed" in texts(at)


def test_without_an_encryption_key_the_app_refuses_to_start(sqlite_practice, monkeypatch, tmp_path):
    monkeypatch.delenv(crypto.ENV)
    monkeypatch.setattr(crypto, "DEMO_KEY_FILE", tmp_path / "none.key")
    at = app()
    at.run()
    assert "can't start safely" in texts(at) and crypto.ENV in texts(at)
