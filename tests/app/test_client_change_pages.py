"""The client's session page (no login), the client's request on the session page and the dashboard, and
time away in /settings — through the real app."""
from datetime import timedelta

from lib.bookings import away, client_changes
from lib.bookings import dashboard as bookings
from lib.bookings import worklist as team_worklist
from lib.core import clock
from tests.app.helpers import open_page, texts
from tests.app.test_answer_pages import _public
from tests.conftest import NOW
from tests.factories import book
from tests.integration.test_answers import _booking, _msgs, at11
from tests.integration.test_client_changes import _link
from ui.answer_forms import SAY_NO


def _confirmed(practice, days=3):
    bid = book(practice.alice, email="hannah@client.example", starts_at=at11(days))
    bookings.confirm(practice.alice, bid, 1)
    return bid, _link(_msgs(bid, "confirmed")[0])


def test_the_client_sees_their_session_and_the_policy_that_applies_now(sqlite_practice):
    bid, token = _confirmed(sqlite_practice)
    at = _public("my_session.py", token)
    assert not at.exception
    shown = texts(at)
    assert "Fri 27 Nov 2026, 11:00 GMT" in shown and "Alice Moreno" in shown
    assert "more than 48 hours away: if you cancel now, you get a full refund" in shown
    assert at.segmented_control(key="my_session_action").options == ["Cancel this session", "Ask for another time"]
    assert not at.text_input  # no login form
    assert _msgs(bid, "client_cancelled") == [] and _booking(bid).status == "confirmed"  # opening changed nothing


def test_the_client_cancels_late_after_a_confirmation_step(sqlite_practice):
    bid, token = _confirmed(sqlite_practice, days=1)
    at = _public("my_session.py", token)
    assert "less than 48 hours away" in texts(at)
    at.segmented_control(key="my_session_action").set_value("Cancel this session").run()
    at.text_area(key="client_cancel_reason").input("Work came up")
    at.button(key="FormSubmitter:cancel_session_form-Continue…").click().run()
    assert _booking(bid).status == "confirmed"  # nothing yet: the confirmation step comes first
    assert "Cancel your session on Wed 25 Nov 2026, 11:00 GMT?" in texts(at)
    at.button(key="client_cancel_final").click().run()
    assert not at.exception
    assert _booking(bid).status == "cancelled"
    assert "Your session is cancelled and your therapist has been told" in at.success[0].value
    assert "The practice will contact you about a refund" in at.success[0].value
    assert "has been cancelled, so there is nothing to change" in at.info[0].value
    assert not at.segmented_control  # nothing is offered any more
    assert len(_msgs(bid, "client_cancelled")) == 1


def test_the_client_asks_for_another_time_and_the_therapist_sees_it(sqlite_practice):
    bid, token = _confirmed(sqlite_practice)
    at = _public("my_session.py", token)
    at.segmented_control(key="my_session_action").set_value("Ask for another time").run()
    at.date_input(key="pref0_d").set_value(at11(6).date())
    at.time_input(key="pref0_t").set_value(at11(6).time())
    at.text_area(key="ask_note").input("Mondays are easier")
    at.button(key="FormSubmitter:ask_time_form-Send my request").click().run()
    assert not at.exception
    assert "your therapist has been told" in at.success[0].value
    assert "You asked for another time" in texts(at) and "Mon 30 Nov 2026, 11:00 GMT" in texts(at)

    dash = open_page("alice", "dashboard.py")
    assert "Clients asking for another time · 1" in texts(dash)
    page = open_page("alice", "session.py", id=bid)
    shown = texts(page)
    assert "The client asked for another time" in shown and "Mondays are easier" in shown
    page.pills(key="answer_choice").set_value(SAY_NO).run()
    page.text_area(key="say_no_message").input("I'm sorry, Mondays are full.")
    page.button(key="FormSubmitter:say_no_form-Send and keep the current time").click().run()
    assert not page.exception
    assert "the session stays at its current time" in page.success[0].value
    assert "Mondays are full" in _msgs(bid, "time_request_no")[0].body_text
    assert client_changes.open_request_for(sqlite_practice.alice, bid) is None


def test_a_bad_link_gets_one_kind_page(sqlite_practice):
    _confirmed(sqlite_practice)
    at = _public("my_session.py", "12.1.999999999.0123456789abcdef0123456789abcdef")
    assert not at.exception and "can't be used" in at.info[0].value
    assert not at.segmented_control and not at.button and "Alice" not in texts(at)


def test_time_away_in_settings_and_the_banner_on_the_dashboard(sqlite_practice):
    at = open_page("alice", "settings.py")
    at.date_input(key="away_from").set_value(NOW.date())
    at.date_input(key="away_to").set_value((NOW + timedelta(days=6)).date())
    at.text_input(key="away_note").input("Annual leave")
    at.button(key="FormSubmitter:away_form-Add time away").click().run()
    assert not at.exception
    assert "Time away added" in at.success[0].value
    assert "From Tue 24 Nov 2026, 00:00 GMT, until the end of Mon 30 Nov 2026" in texts(at)
    assert away.is_away(sqlite_practice.alice.id, clock.now()) is not None
    dash = open_page("alice", "dashboard.py")
    assert "You are away until the end of Mon 30 Nov 2026" in texts(dash)
    # The manager sees who is away, and a request for Alice lands on the team's list saying until when.
    bid = book(sqlite_practice.alice, requested_ago=timedelta(0), starts_at=at11(9))
    team = open_page("morgan", "dashboard.py")
    assert "Away now:** Alice Moreno (until the end of Mon 30 Nov 2026)" in texts(team)
    assert "Therapist away until Tue 1 Dec 2026, 00:00 GMT" in texts(team)
    assert [i.reason for i in team_worklist.worklist(sqlite_practice.morgan) if i.booking_id == bid] == [
        team_worklist.Reason.THERAPIST_AWAY]
