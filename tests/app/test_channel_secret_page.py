"""/settings › Booking channel: a manager makes or rotates the API secret and sees it once."""
import json
from datetime import timedelta

from lib.booking_api import service as booking_api
from lib.core import clock
from tests.app.helpers import open_page, texts
from tests.app_server import booking, signed_headers

ROTATE = "bd_channel_secret_rotate"


def test_a_manager_makes_a_secret_sees_it_once_and_the_api_accepts_it(sqlite_practice, monkeypatch):
    monkeypatch.delenv("BOOKING_CHANNEL_SECRET", raising=False)
    at = open_page("morgan", "settings.py")
    assert "No secret yet" in texts(at)
    at.button(key=ROTATE).click().run()
    assert not at.exception
    shown = [c.value for c in at.code]
    assert len(shown) == 1 and shown[0].startswith("whsec_")
    assert any("shown only this once" in w.value for w in at.warning)
    at.run()  # any later view: the secret is not shown again
    assert not [c.value for c in at.code]
    assert "is in use" in texts(at)

    body = json.dumps(booking("alice")).encode()
    assert booking_api.receive(body, signed_headers(body, secret=shown[0])).status == 201


def test_after_a_rotation_the_old_secret_works_for_a_day_then_not(sqlite_practice, monkeypatch):
    monkeypatch.delenv("BOOKING_CHANNEL_SECRET", raising=False)
    at = open_page("morgan", "settings.py")
    at.button(key=ROTATE).click().run()
    old = at.code[0].value
    at.button(key=ROTATE).click().run()
    new = at.code[0].value
    assert new != old
    assert "previous secret still works until" in texts(at)
    body = json.dumps(booking("alice")).encode()
    assert booking_api.receive(body, signed_headers(body, secret=old)).status == 201
    clock.freeze(clock.now() + timedelta(hours=25))
    body = json.dumps(booking("alice")).encode()
    assert booking_api.receive(body, signed_headers(body, secret=old)).status == 401
    assert booking_api.receive(body, signed_headers(body, secret=new)).status == 201


def test_therapists_have_no_booking_channel_section(sqlite_practice):
    assert "Booking channel" not in texts(open_page("alice", "settings.py"))
