"""The answer controls on the session page and the client's private pages, through the real app."""
from datetime import timedelta

from lib.bookings import answers
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core import clock
from tests.app.helpers import app, md_table, open_page, switch_page, texts
from tests.factories import book
from tests.integration.test_answers import _booking, _msgs, _token_from, at11
from ui.answer_forms import AGREED, OFFER


def _public(page: str, token: str):
    at = app()
    at.run()
    switch_page(at, page)
    at.query_params["token"] = token
    at.run()
    return at


def test_offer_other_times_from_the_session_page(sqlite_practice):
    bid = book(sqlite_practice.alice, starts_at=at11(2))
    at = open_page("alice", "session.py", id=bid)
    at.pills(key="answer_choice").set_value(OFFER).run()
    # Nothing is picked for the therapist: the own-time fields start empty, suggestions unselected.
    assert at.date_input(key="offer0_d").value is None and at.pills(key="offer_suggested").value == []
    at.date_input(key="offer0_d").set_value(at11(3).date())
    at.time_input(key="offer0_t").set_value(at11(3).time())
    at.button(key="FormSubmitter:offer_form-Send these times to the client").click().run()
    assert not at.exception
    assert "Times offered" in at.success[0].value
    assert _booking(bid).status == "awaiting_client"
    assert "Waiting for the client to pick one of: Fri 27 Nov 2026, 11:00 GMT" in texts(at)


def test_a_suggested_free_time_is_one_click_and_never_the_requested_time(sqlite_practice):
    bid = book(sqlite_practice.alice, starts_at=at11(2))
    at = open_page("alice", "session.py", id=bid)
    at.pills(key="answer_choice").set_value(OFFER).run()
    suggested = at.pills(key="offer_suggested")
    # After the 24 h minimum notice, inside Alice's weekday hours (09:00-18:00), never the asked-for time.
    assert suggested.options[:2] == ["Wed 25 Nov 2026, 10:00 GMT", "Wed 25 Nov 2026, 11:00 GMT"]
    assert "Thu 26 Nov 2026, 11:00 GMT" not in suggested.options
    suggested.set_value([suggested.options[0]])
    at.button(key="FormSubmitter:offer_form-Send these times to the client").click().run()
    assert not at.exception
    assert session_view.get_for(sqlite_practice.alice, bid).open_offers == [at11(1).replace(hour=10)]


def test_offering_the_requested_time_is_refused_and_nothing_is_sent(sqlite_practice):
    bid = book(sqlite_practice.alice, starts_at=at11(2))
    at = open_page("alice", "session.py", id=bid)
    at.pills(key="answer_choice").set_value(OFFER).run()
    at.date_input(key="offer0_d").set_value(at11(2).date())
    at.time_input(key="offer0_t").set_value(at11(2).time())
    at.button(key="FormSubmitter:offer_form-Send these times to the client").click().run()
    assert any("the time the client asked for" in e.value for e in at.error)
    assert _booking(bid).status == "unconfirmed" and _msgs(bid, "times_offered") == []


def test_a_clashing_new_time_is_refused_with_a_clear_message(sqlite_practice):
    other = book(sqlite_practice.alice, "Oliver Bennett", starts_at=at11(3))
    bookings.confirm(sqlite_practice.alice, other, 1)
    bid = book(sqlite_practice.alice, starts_at=at11(2))
    at = open_page("alice", "session.py", id=bid)
    at.pills(key="answer_choice").set_value(AGREED).run()
    at.date_input(key="resched_d").set_value(at11(3).date())
    at.time_input(key="resched_t").set_value(at11(3).time())
    at.button(key="FormSubmitter:reschedule_form-Confirm the new time").click().run()
    assert any("clashes" in e.value for e in at.error)
    assert _booking(bid).status == "unconfirmed"


def test_not_the_best_fit_needs_a_reason_then_declines(sqlite_practice):
    bid = book(sqlite_practice.alice)
    at = open_page("alice", "session.py", id=bid)
    at.pills(key="answer_choice").set_value("Not the best fit").run()
    at.button(key="FormSubmitter:decline_form-Decline and tell the practice team").click().run()
    assert any("reason" in e.value for e in at.error)
    at.text_area(key="decline_reason").input("Outside my competence")
    at.button(key="FormSubmitter:decline_form-Decline and tell the practice team").click().run()
    assert "Declined" in at.success[0].value
    assert _booking(bid).status == "declined"


def test_short_notice_cancel_asks_about_the_refund(sqlite_practice):
    bid = book(sqlite_practice.alice, starts_at=clock.now() + timedelta(hours=26))
    at = open_page("alice", "session.py", id=bid)
    at.pills(key="answer_choice").set_value("Cancel session").run()
    assert "less than 48 hours away" in texts(at)
    at.text_input(key="cancel_reason").input("Unwell")
    at.button(key="FormSubmitter:cancel_form-Review the cancellation…").click().run()
    assert any("full refund" in e.value for e in at.error)
    at.radio(key="cancel_refund").set_value("Yes, full refund")
    at.button(key="FormSubmitter:cancel_form-Review the cancellation…").click().run()
    # The dialog previews the policy and the client's email before anything happens.
    assert _booking(bid).status == "unconfirmed"
    shown = texts(at)
    assert "Less than 48 hours away: the practice decides about a refund — you chose a full refund." in shown
    assert "Your therapy session has been cancelled" in shown
    assert "You will receive a full refund." in [t.value for t in at.text][0]
    at.button(key="cancel_final").click().run()
    assert _booking(bid).status == "cancelled"
    assert "Session cancelled" in at.success[0].value


def test_manager_reassigns_a_declined_session(sqlite_practice):
    bid = book(sqlite_practice.alice, "Hannah Whitfield", starts_at=at11(3))
    answers.decline_not_fit(sqlite_practice.alice, bid, 1, "Not my area", "", "")
    at = open_page("morgan", "session.py", id=bid)
    assert at.pills(key="answer_choice").value == "Reassign"  # chosen already: a declined session's next step
    at.selectbox(key="reassign_to").set_value((sqlite_practice.bob.id, "Bob Okafor"))
    at.button(key="FormSubmitter:reassign_form-Create the new session").click().run()
    assert not at.exception
    assert "Reassigned" in at.success[0].value
    new = bookings.queue(sqlite_practice.bob).items
    assert [(i.attendees, i.starts_at) for i in new] == [(["Hannah Whitfield"], at11(3))]
    bob_page = open_page("bob", "session.py", id=new[0].id)
    history = md_table(bob_page, "When")
    assert "Reassigned" in [row["What"] for row in history]
    assert "From: Alice Moreno" in " ".join(row["Details"] for row in history)
    # Therapists can't reassign: the control isn't there and the service refuses.
    alice_view = open_page("alice", "session.py", id=bid)
    assert not [r for r in alice_view.pills if "Reassign" in r.options]


def test_client_picks_an_offered_time_without_logging_in(sqlite_practice):
    bid = book(sqlite_practice.alice, starts_at=at11(2))
    answers.offer_times(sqlite_practice.alice, bid, 1, [at11(3), at11(6)])
    token = _token_from(_msgs(bid, "times_offered")[0])
    at = _public("respond.py", token)
    assert not at.exception
    offer_ids = at.radio(key="respond_choice").options
    assert at.button[0].disabled  # nothing chosen yet
    assert offer_ids == ["Fri 27 Nov 2026, 11:00 GMT", "Mon 30 Nov 2026, 11:00 GMT", "None of these work for me"]
    assert "**Where:** Online" in texts(at) and "zoom" in texts(at)
    at.radio(key="respond_choice").set_value(2).run()  # the second offer's id
    at.button[0].click().run()
    assert "your session is confirmed for Mon 30 Nov 2026, 11:00 GMT" in at.success[0].value
    assert _booking(bid).starts_at == at11(6)
    # Reopened after picking, the link shows the chosen time, not "may have expired".
    again = _public("respond.py", token)
    assert "is confirmed for **Mon 30 Nov 2026, 11:00 GMT**" in again.success[0].value
    assert not again.radio


def test_bad_links_get_one_kind_page(sqlite_practice):
    for page in ("respond.py", "assessment.py"):
        at = _public(page, "nonsense.token")
        assert not at.exception
        assert "can't be used" in at.info[0].value
        assert not at.text_input  # no login form either


def test_client_saves_a_partial_assessment(sqlite_practice):
    bid = book(sqlite_practice.alice, email="hannah@client.example")
    token = _token_from(_msgs(bid, "booking_received")[0])
    at = _public("assessment.py", token)
    assert "Hello Hannah" in texts(at)
    at.radio(key="phq9_0").set_value(2).run()
    at.checkbox(key="help_0").check().run()  # Anxiety
    at.button(key="assessment_finish").click().run()
    assert "Saved" in at.success[0].value
    a = session_view.get_for(sqlite_practice.alice, bid).assessment
    assert a.status == "partial" and a.phq9[0] == 2 and a.help_with == ["Anxiety"]
