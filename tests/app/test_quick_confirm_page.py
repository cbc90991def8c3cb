"""/confirm?token=… (the alert email's one-tap page) through the real app: no login, a clash blocks the button,
a confirm from the page is the service's, a made-up link gets one plain message, a signed-in manager is sent on."""
from lib.bookings import dashboard as bookings
from tests.app.helpers import open_page, texts
from tests.app.test_answer_pages import _public
from tests.factories import book
from tests.integration.test_alert_answers import _state, _token


def test_the_page_shows_the_request_and_confirm_confirms(sqlite_practice):
    bid = book(sqlite_practice.alice, "Oliver Bramble", attendees=["Oliver Bramble", "Ana Reyes"])
    before = _state()
    at = _public("confirm.py", _token(bid))
    assert not at.exception
    shown = texts(at)
    assert "Thu 26 Nov 2026, 11:00 GMT" in shown and "Attendees: Oliver, Ana" in shown and "Online" in shown
    assert "Bramble" not in shown and "Reyes" not in shown and "Alice" not in shown
    assert "You have no other session or offered time then" in shown
    assert not at.text_input  # no login form
    assert _state() == before  # drawing the page changed nothing

    at.button(key="quick_confirm").click().run()
    assert not at.exception
    assert "Session confirmed." in texts(at)
    assert "quick_confirm" not in [b.key for b in at.button]  # answered: nothing left to press
    assert _state()[0] == [(bid, "confirmed", 2)]


def test_a_clash_disables_confirm_and_a_bad_link_says_so(sqlite_practice):
    first = book(sqlite_practice.alice, "Hannah Whitfield")
    second = book(sqlite_practice.alice, "Oliver Bramble", email="oliver@client.example")
    bookings.confirm(sqlite_practice.alice, first, 1)
    at = _public("confirm.py", _token(second))
    assert "Clash:" in texts(at)
    assert at.button(key="quick_confirm").disabled

    bad = _public("confirm.py", _token(second)[:-2] + "00")
    assert "This link can't be used." in texts(bad) and not bad.button


def test_a_signed_in_manager_gets_the_session_page(sqlite_practice):
    bid = book(sqlite_practice.alice, "Oliver Bramble")
    at = open_page("morgan", "confirm.py", token=_token(bid))
    assert not at.exception
    assert "Session details" in texts(at) and "Oliver Bramble" in texts(at)  # the full session page


def test_settings_say_how_to_turn_on_replies_by_text(sqlite_practice):
    from lib.bookings import sms_replies
    from lib.core.db import unit_of_work
    from lib.core.models import User

    with unit_of_work(write=True) as s:
        bob = s.get(User, sqlite_practice.bob.id)
        bob.sms_opt_in, bob.sms_phone = True, "+447911000456"
    code = sms_replies.setup_for(sqlite_practice.bob).code

    def shown(username):  # as read: without markdown's bold marks and escapes
        return texts(open_page(username, "settings.py")).replace("**", "").replace("\\", "")

    assert f"text VERIFY {code} from +447911000456" in shown("bob")
    assert "Replies by text are on for +447911123456" in shown("alice")
