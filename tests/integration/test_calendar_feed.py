"""The therapist's private calendar feed, read as a calendar app reads it (icalendar): statuses, and the UID
and SEQUENCE of the client's own invitation; a reset address answers 404, over real HTTP."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from icalendar import Calendar
from sqlalchemy import select

from lib.bookings import answers
from lib.bookings import dashboard as bookings
from lib.calendars import feed as calendar_feed
from lib.core import clock, db
from lib.core.db import unit_of_work
from lib.core.models import Notification, TherapistCalendar
from lib.people.auth import actor_for
from tests.app_server import serving_fresh
from tests.factories import book


def _events(ics_text: str) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(ics_text).walk("VEVENT")}


def _invitation(booking_id: int):
    """The last calendar invitation the client was sent for this session, as their calendar reads it."""
    with unit_of_work() as s:
        ics = s.scalars(select(Notification.ics).where(Notification.booking_id == booking_id,
                                                       Notification.ics.is_not(None))
                        .order_by(Notification.id.desc())).first()
    return Calendar.from_ical(ics).walk("VEVENT")[0]


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def test_feed_shows_each_session_as_the_clients_invitation_does_and_nothing_clinical(practice):
    alice = practice.alice
    day = clock.now().replace(hour=11, minute=0) + timedelta(days=3)
    confirmed = book(alice, "Oliver Bennett", starts_at=day)
    bookings.confirm(alice, confirmed, 1)
    answers.reschedule_agreed(alice, confirmed, 2, day + timedelta(hours=2))  # a second invitation: SEQUENCE 3
    waiting = book(alice, "Priya Shah", starts_at=day + timedelta(days=1))
    offered = book(alice, "Tomasz Nowak", starts_at=day + timedelta(days=2))
    answers.offer_times(alice, offered, 1, [day + timedelta(days=5), day + timedelta(days=6)])
    cancelled = book(alice, "Grace Hopper", starts_at=day + timedelta(days=4))
    bookings.confirm(alice, cancelled, 1)
    answers.cancel(alice, cancelled, 2, "Client moved away")
    bobs = book(practice.bob, "Someone Else", starts_at=day)

    url = calendar_feed.new_address(alice)
    assert url.startswith("http://desk.test/calendar/") and url.endswith(".ics")
    events = _events(calendar_feed.feed_for(_token(url)))

    uid = "session-{}@booking-desk".format
    assert uid(bobs) not in events and uid(offered) not in events  # not hers; the time she could not do
    for bid, status in ((confirmed, "CONFIRMED"), (cancelled, "CANCELLED")):
        invitation, mine = _invitation(bid), events[uid(bid)]
        assert str(mine["STATUS"]) == status
        assert str(mine["UID"]) == str(invitation["UID"])
        assert int(mine["SEQUENCE"]) == int(invitation["SEQUENCE"])
        assert mine.decoded("DTSTART") == invitation.decoded("DTSTART")
    assert int(events[uid(confirmed)]["SEQUENCE"]) == 3
    assert events[uid(confirmed)].decoded("DTSTART").replace(tzinfo=None) == day + timedelta(hours=2)  # moved
    request = events[uid(waiting)]
    assert str(request["STATUS"]) == "TENTATIVE" and "awaiting your answer" in str(request["SUMMARY"]).lower()
    assert f"http://desk.test/session?id={waiting}" in str(request["DESCRIPTION"])
    offers = [e for u, e in events.items() if u.startswith("offer-")]
    assert sorted(e.decoded("DTSTART").replace(tzinfo=None) for e in offers) == [
        day + timedelta(days=5), day + timedelta(days=6)]
    assert {str(e["STATUS"]) for e in offers} == {"TENTATIVE"}
    text = calendar_feed.feed_for(_token(url))
    assert "Oliver B." in text and "Bennett" not in text and "Shah" not in text and "Client moved away" not in text


def test_reset_address_stops_the_old_one_and_only_a_hash_is_kept(practice):
    first = calendar_feed.new_address(practice.alice)
    second = calendar_feed.new_address(practice.alice)
    assert calendar_feed.feed_status(practice.alice).read_at is None
    assert calendar_feed.feed_for(_token(first)) is None
    assert calendar_feed.feed_for(_token(second)) is not None
    with unit_of_work() as s:
        stored = s.get(TherapistCalendar, practice.alice.id).feed_token_hash
    assert _token(second) not in stored and len(stored) == 64
    assert calendar_feed.feed_status(practice.alice).read_at == clock.now()  # a leaked address shows in use
    calendar_feed.turn_off(practice.alice)
    assert calendar_feed.feed_for(_token(second)) is None
    assert calendar_feed.feed_for("x" * 43) is None and calendar_feed.feed_for("../../etc/passwd") is None


@pytest.mark.slow
def test_feed_over_http_and_a_reset_address_answers_404(tmp_path, monkeypatch):
    with serving_fresh("sqlite", tmp_path) as server:
        monkeypatch.setenv("DATABASE_URL", server.database_url)
        db.dispose_all()
        alice = actor_for("alice")
        old = _token(calendar_feed.new_address(alice))
        answer = requests.get(f"{server.url}/calendar/{old}.ics", timeout=10)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
        assert Calendar.from_ical(answer.content).walk("VEVENT")  # the demo practice's sessions
        new = _token(calendar_feed.new_address(alice))
        assert requests.get(f"{server.url}/calendar/{old}.ics", timeout=10).status_code == 404
        assert requests.get(f"{server.url}/calendar/{new}.ics", timeout=10).status_code == 200
        assert requests.get(f"{server.url}/calendar/nonsense.ics", timeout=10).status_code == 404
        db.dispose_all()
