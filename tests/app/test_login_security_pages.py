"""The login gate in the app: idle timeout, refusing to start without a secret, cookie re-login."""
import time

from tests.app.helpers import app, logged_in_app, texts


def test_idle_session_is_logged_out(sqlite_practice, monkeypatch):
    at = logged_in_app("alice")
    at.session_state["bd_visit"].last_seen = time.time() - 31 * 60
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "inactivity" in texts(at)


def test_log_out_page_revokes_the_login_and_shows_the_form_at_the_dashboard(sqlite_practice):
    from lib.people import sign_in_sessions
    from tests.app.helpers import switch_page

    at = logged_in_app("alice")
    at.run()
    session_id = at.session_state["bd_visit"].sign_in_session
    sign_in_sessions.cookie_written(session_id, 1_900_000_000.5)  # the cookie the browser got at login
    assert sign_in_sessions.for_cookie("alice", 1_900_000_000.5) == session_id
    switch_page(at, "logout.py").run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "You have logged out." in texts(at)
    assert sign_in_sessions.for_cookie("alice", 1_900_000_000.5) is None  # a copied cookie no longer logs anyone in
    at.run()  # the next run still shows the form: logging out does not undo itself
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_app_refuses_to_start_without_a_secret_unless_demo(sqlite_practice, monkeypatch):
    monkeypatch.delenv("BOOKING_DESK_SECRET", raising=False)
    at = app()
    at.run()
    assert not at.exception
    assert "can't start safely" in at.error[0].value and "BOOKING_DESK_SECRET" in at.error[0].value
    assert not at.text_input
    monkeypatch.setenv("BOOKING_DESK_SECRET", "too-short")
    at = app()
    at.run()
    assert "at least 32 bytes" in at.error[0].value
