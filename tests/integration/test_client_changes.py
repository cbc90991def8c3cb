"""The client's own session link: cancel, ask for another time and the therapist's answers — real database
(SQLite and PostgreSQL)."""
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from icalendar import Calendar
from sqlalchemy import select

from lib.bookings import answers, client_changes, client_links
from lib.bookings import dashboard as bookings
from lib.bookings import worklist as team_worklist
from lib.bookings.tokens import BadToken
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import AuditEntry, BookingEvent
from tests.factories import book
from tests.integration.test_answers import _booking, _msgs, at11

HOUR = timedelta(hours=1)


def _link(message, page: str = "/my-session") -> str:
    url = next(w for w in message.body_text.split() if f"{page}?token=" in w)
    return parse_qs(urlparse(url).query)["token"][0]


def confirmed(practice, days: int = 3, **kw) -> tuple[int, str]:
    """A confirmed session `days` ahead at 11:00, and the client's link from the confirmation email."""
    bid = book(practice.alice, email="hannah@client.example", starts_at=at11(days), **kw)
    bookings.confirm(practice.alice, bid, 1)
    return bid, _link(_msgs(bid, "confirmed")[0])


def _open_tasks(bid):
    return [(i.booking_id, i.reason) for i in team_worklist.worklist(_manager()) if i.booking_id == bid]


def _manager():
    from lib.people.auth import actor_for
    return actor_for("morgan")


def _events(bid):
    with unit_of_work() as s:
        return [(e.kind, e.actor) for e in s.scalars(select(BookingEvent).where(BookingEvent.booking_id == bid)
                                                     .order_by(BookingEvent.id))]


def test_the_confirmation_email_carries_the_clients_link_and_opening_it_changes_nothing(practice):
    bid, token = confirmed(practice)
    before = (_booking(bid).version, len(_msgs(bid)), _events(bid))
    view = client_changes.my_session(token)
    client_changes.my_session(token)
    assert (view.state, view.first_name, view.therapist_name) == ("booked", "Hannah", "Alice Moreno")
    assert view.starts_at == at11(3) and view.can_cancel and view.can_ask
    assert (_booking(bid).version, len(_msgs(bid)), _events(bid)) == before
    # The HTML email has the link as its button.
    assert "See, cancel or move your session" in _msgs(bid, "confirmed")[0].body_html


def test_the_policy_in_plain_words_says_what_applies_now(practice):
    far, far_token = confirmed(practice, days=3)
    near = book(practice.alice, "Oliver Bennett", email="oliver@client.example",
                starts_at=clock.now() + timedelta(hours=30))
    bookings.confirm(practice.alice, near, 1)
    near_token = _link(_msgs(near, "confirmed")[0])
    assert client_changes.my_session(far_token).policy_now == (
        "Your session is more than 48 hours away: if you cancel now, you get a full refund.")
    assert client_changes.my_session(near_token).policy_now.startswith(
        "Your session is less than 48 hours away: if you cancel now, the practice decides about a refund")
    # The same session crosses the line as time passes.
    clock.freeze(at11(3) - timedelta(hours=47))
    assert client_changes.my_session(far_token).late


def test_cancel_more_than_48_hours_ahead_full_refund_one_email_therapist_told(practice):
    bid, token = confirmed(practice, days=3)
    assert client_changes.cancel(token, _booking(bid).version, "Feeling better, thank you") is False
    assert _booking(bid).status == "cancelled"
    to_client = _msgs(bid, "client_cancelled")
    assert [m.recipient for m in to_client] == ["hannah@client.example"]
    assert "you will get a full refund" in to_client[0].body_text
    assert "Fri 27 Nov 2026, 11:00 GMT" in to_client[0].body_text
    assert Calendar.from_ical(to_client[0].ics).get("method") == "CANCEL"
    to_therapist = _msgs(bid, "client_cancelled_therapist")
    assert [m.recipient for m in to_therapist] == ["alice@practice.example"]
    assert "Feeling better" not in to_therapist[0].body_text  # the reason stays behind the login
    assert _open_tasks(bid) == []  # a full refund needs no decision
    assert ("cancelled", "client") in _events(bid)
    with unit_of_work() as s:
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.booking_id == bid,
                                                        AuditEntry.username == "client")) == "client_cancel"
    assert client_changes.my_session(token).state == "cancelled"


def test_cancel_less_than_48_hours_ahead_goes_to_the_team_for_the_refund_decision(practice):
    bid, token = confirmed(practice, days=1)  # tomorrow 11:00: 25 hours away
    assert client_changes.cancel(token, _booking(bid).version) is True
    mail = _msgs(bid, "client_cancelled")[0]
    assert "less than 48 hours" in mail.body_text and "the practice decides about a refund" in mail.body_text
    assert "full refund" not in mail.body_text
    assert _open_tasks(bid) == [(bid, team_worklist.Reason.CLIENT_CANCELLED_LATE)]
    assert "The client cancelled inside 48 hours" in team_worklist.Reason.CLIENT_CANCELLED_LATE.label


def test_a_second_cancel_changes_nothing_and_sends_nothing(practice):
    bid, token = confirmed(practice)
    version = _booking(bid).version
    client_changes.cancel(token, version)
    sent = len(_msgs(bid))
    with pytest.raises(Conflict, match="already cancelled"):
        client_changes.cancel(token, version)
    with pytest.raises(Conflict, match="already cancelled"):
        client_changes.cancel(token, _booking(bid).version)
    assert len(_msgs(bid)) == sent and len(_msgs(bid, "client_cancelled")) == 1


def test_after_the_session_started_the_page_says_so_and_nothing_can_be_done(practice):
    bid, token = confirmed(practice, days=1)
    clock.freeze(at11(1) + timedelta(minutes=5))
    view = client_changes.my_session(token)
    assert view.state == "started" and not view.can_cancel and not view.can_ask
    with pytest.raises(Conflict, match="already started"):
        client_changes.cancel(token, _booking(bid).version)
    with pytest.raises(Conflict, match="already started"):
        client_changes.ask_for_another_time(token, _booking(bid).version, [at11(4)])
    assert _booking(bid).status == "confirmed"


def test_a_tampered_or_foreign_link_learns_nothing(practice):
    bid, token = confirmed(practice)
    other = book(practice.bob, "Oliver Bennett", email="oliver@client.example", starts_at=at11(4))
    booking_id, client_id, until, sig = token.split(".")
    for bad in (token[:-2] + ("aa" if not token.endswith("aa") else "bb"), f"{other}.{client_id}.{until}.{sig}",
                f"{booking_id}.{client_id}.{int(until) + 3600}.{sig}", "", None, "not-a-token", "1.2.3"):
        with pytest.raises(BadToken) as caught:
            client_changes.my_session(bad)
        assert type(caught.value) is BadToken and "can't be used" in caught.value.message
        with pytest.raises(BadToken):
            client_changes.cancel(bad, 1)
    assert _booking(bid).status == "confirmed"


def test_a_link_for_an_earlier_time_of_a_moved_session_points_to_the_latest_email(practice):
    bid, token = confirmed(practice, days=1)
    answers.reschedule_agreed(practice.alice, bid, _booking(bid).version, at11(4))
    assert client_changes.my_session(token).starts_at == at11(4)  # before its time it shows the session now
    clock.freeze(at11(1) + HOUR)
    with pytest.raises(client_changes.LinkOutOfDate):
        client_changes.my_session(token)
    assert client_changes.my_session(_link(_msgs(bid, "rescheduled")[0])).state == "booked"


def test_asking_for_another_time_keeps_the_session_booked_and_tells_the_therapist(practice):
    bid, token = confirmed(practice)
    version = _booking(bid).version
    with pytest.raises(InvalidInput, match="one to three times"):
        client_changes.ask_for_another_time(token, version, [None, None], "  ")
    with pytest.raises(InvalidInput, match="at most 3"):
        client_changes.ask_for_another_time(token, version, [at11(4), at11(5), at11(6), at11(7)])
    with pytest.raises(InvalidInput, match="past"):
        client_changes.ask_for_another_time(token, version, [clock.now() - HOUR])
    client_changes.ask_for_another_time(token, version, [at11(5), at11(4), None], "Mornings suit me best")
    b = _booking(bid)
    assert (b.status, b.starts_at, b.version) == ("confirmed", at11(3), version)
    assert [m.recipient for m in _msgs(bid, "time_asked")] == ["alice@practice.example"]
    assert "Mornings" not in _msgs(bid, "time_asked")[0].body_text
    req = client_changes.open_request_for(practice.alice, bid)
    assert req.preferred == [at11(4), at11(5)] and req.note == "Mornings suit me best"
    assert [i.booking_id for i in client_changes.open_requests(practice.alice)] == [bid]
    assert client_changes.open_requests(practice.bob) == []
    view = client_changes.my_session(token)
    assert view.request.preferred == [at11(4), at11(5)] and not view.can_ask and view.can_cancel
    with pytest.raises(Conflict, match="already asked"):
        client_changes.ask_for_another_time(token, version, [at11(6)])


def test_answer_an_agreed_new_time_moves_it_with_the_same_calendar_entry(practice):
    bid, token = confirmed(practice)
    client_changes.ask_for_another_time(token, _booking(bid).version, [at11(4)])
    answers.reschedule_agreed(practice.alice, bid, _booking(bid).version, at11(4))
    b = _booking(bid)
    assert (b.status, b.starts_at) == ("confirmed", at11(4))
    mail = _msgs(bid, "rescheduled")[0]
    first = Calendar.from_ical(_msgs(bid, "confirmed")[0].ics).walk("VEVENT")[0]
    moved = Calendar.from_ical(mail.ics).walk("VEVENT")[0]
    assert str(moved["UID"]) == str(first["UID"]) == f"session-{bid}@booking-desk"
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    assert client_changes.open_request_for(practice.alice, bid) is None
    assert client_changes.my_session(_link(mail)).can_ask  # answered: they may ask again


def test_answer_offered_times_keep_it_booked_until_the_client_picks(practice):
    bid, token = confirmed(practice)
    with pytest.raises(Conflict, match="already confirmed"):  # nobody asked: a booked session isn't offered times
        answers.offer_times(practice.alice, bid, _booking(bid).version, [at11(4)])
    client_changes.ask_for_another_time(token, _booking(bid).version, [], "Any afternoon next week")
    answers.offer_times(practice.alice, bid, _booking(bid).version, [at11(6).replace(hour=15), at11(7)])
    assert (_booking(bid).status, _booking(bid).starts_at) == ("confirmed", at11(3))
    offer = _msgs(bid, "times_offered_move")[0]
    assert "your session stays booked at Fri 27 Nov 2026, 11:00 GMT" in offer.body_text
    assert client_changes.my_session(token).offers_link
    view = client_links.offer_for(_link(offer, "/respond"))
    assert view.keeps == at11(3)
    assert client_links.respond(_link(offer, "/respond"), view.offers[0][0]) == "moved"
    b = _booking(bid)
    assert (b.status, b.starts_at) == ("confirmed", at11(6).replace(hour=15))
    moved = _msgs(bid, "rescheduled")[0]
    assert "As you chose" in moved.body_text
    assert str(Calendar.from_ical(moved.ics).walk("VEVENT")[0]["UID"]) == f"session-{bid}@booking-desk"


def test_none_of_the_offered_times_keeps_the_booked_time(practice):
    bid, token = confirmed(practice)
    client_changes.ask_for_another_time(token, _booking(bid).version, [at11(4)])
    answers.offer_times(practice.alice, bid, _booking(bid).version, [at11(7)])
    assert client_links.respond(_link(_msgs(bid, "times_offered_move")[0], "/respond"), None) == "kept"
    assert (_booking(bid).status, _booking(bid).starts_at) == ("confirmed", at11(3))
    assert [m.recipient for m in _msgs(bid, "kept_time")] == ["alice@practice.example"]


def test_answer_no_with_a_message_tells_the_client_and_keeps_the_time(practice):
    bid, token = confirmed(practice)
    with pytest.raises(Conflict, match="already been answered"):
        client_changes.say_no(practice.alice, bid, _booking(bid).version, "Sorry")
    client_changes.ask_for_another_time(token, _booking(bid).version, [at11(4)])
    with pytest.raises(InvalidInput, match="message"):
        client_changes.say_no(practice.alice, bid, _booking(bid).version, "  ")
    client_changes.say_no(practice.alice, bid, _booking(bid).version, "I'm fully booked that week, I'm sorry.")
    mail = _msgs(bid, "time_request_no")[0]
    assert mail.recipient == "hannah@client.example"
    assert "I'm fully booked that week" in mail.body_text and "stays booked at Fri 27 Nov 2026, 11:00" in mail.body_text
    assert (_booking(bid).status, _booking(bid).starts_at) == ("confirmed", at11(3))
    assert client_changes.open_request_for(practice.alice, bid) is None
    assert ("time_request_no", "alice") in _events(bid)


def test_another_therapist_cannot_see_or_answer_the_request(practice):
    from lib.core.errors import NotFound

    bid, token = confirmed(practice)
    client_changes.ask_for_another_time(token, _booking(bid).version, [at11(4)])
    with pytest.raises(NotFound):
        client_changes.open_request_for(practice.bob, bid)
    with pytest.raises(NotFound):
        client_changes.say_no(practice.bob, bid, _booking(bid).version, "No")
