"""The login gate in the app: idle timeout, refusing to start without a secret, cookie re-login."""
import time


from tests.app.helpers import app, logged_in_app, texts


def test_idle_session_is_logged_out(sqlite_practice, monkeypatch):
    at = logged_in_app("alice")
    at.session_state["bd_last_seen"] = time.time() - 31 * 60
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "inactivity" in texts(at)


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
