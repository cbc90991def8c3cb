"""A therapist away: new requests go to the practice team, nothing nags them, the figures leave those requests
out of their own times — real database (SQLite and PostgreSQL)."""
from datetime import date, timedelta

import pytest

from lib.bookings import away
from lib.bookings import deadlines as timers
from lib.bookings import worklist as team_worklist
from lib.core import clock
from lib.core.errors import InvalidInput, NotFound
from lib.metrics import periods
from lib.metrics import report as metrics
from tests.conftest import NOW
from tests.factories import book
from tests.integration.metrics_fixtures import build_alice, build_bob, london
from tests.integration.test_answers import _msgs, at11

DAY = timedelta(days=1)


def alice_away(practice, days: int = 7, note: str = "Annual leave; Bob covers couples") -> int:
    return away.set_away(practice.alice, practice.alice.id, NOW - timedelta(hours=2), NOW + days * DAY, note)


def test_a_therapist_sets_their_own_time_away_and_a_manager_anyones(practice):
    with pytest.raises(InvalidInput, match="end after it starts"):
        away.set_away(practice.alice, practice.alice.id, NOW + DAY, NOW)
    with pytest.raises(InvalidInput, match="already ended"):
        away.set_away(practice.alice, practice.alice.id, NOW - 3 * DAY, NOW - DAY)
    with pytest.raises(NotFound):  # a therapist can't set another therapist's time away
        away.set_away(practice.alice, practice.bob.id, NOW, NOW + DAY)
    away.set_away(practice.morgan, practice.bob.id, NOW + DAY, NOW + 3 * DAY, "Conference")
    alice_away(practice)
    assert away.is_away(practice.alice.id) is not None and away.is_away(practice.bob.id) is None
    assert away.is_away(practice.bob.id, NOW + 2 * DAY).note == "Conference"
    assert [a.therapist_name for a in away.away_now(practice.morgan)] == ["Alice Moreno"]
    assert away.away_now(practice.bob) == []
    with pytest.raises(NotFound):
        away.periods(practice.bob, practice.alice.id)


def test_is_away_gives_the_bookings_api_a_clear_reason(practice):
    alice_away(practice)
    found = away.is_away(practice.alice.id, NOW + DAY)
    assert found.reason() == "Alice Moreno is away until Tue 1 Dec 2026, 10:00 GMT"
    assert away.is_away(practice.alice.id, NOW + 8 * DAY) is None


def test_a_new_request_while_away_goes_to_the_team_and_the_client_is_told_kindly(practice):
    alice_away(practice)
    bid = book(practice.alice, email="hannah@client.example", requested_ago=timedelta(minutes=5), starts_at=at11(9))
    items = [i for i in team_worklist.worklist(practice.morgan) if i.booking_id == bid]
    assert [(i.reason, i.away_until) for i in items] == [(team_worklist.Reason.THERAPIST_AWAY, NOW + 7 * DAY)]
    assert _msgs(bid, "new_booking") == [] and _msgs(bid, "new_booking_sms") == []  # Alice isn't alerted
    to_team = _msgs(bid, "therapist_away")
    assert [m.recipient for m in to_team] == ["morgan@practice.example"]
    assert "Annual leave" not in to_team[0].body_text  # the note is for the settings page, not email
    to_client = _msgs(bid, "received_away")
    assert [m.recipient for m in to_client] == ["hannah@client.example"]
    text = to_client[0].body_text
    assert "Alice Moreno is away until Tue 1 Dec 2026, 10:00 GMT" in text
    assert "our practice team has your request and will be in touch" in text and "not confirmed yet" in text
    assert "Annual leave" not in text and "/assessment?token=" in text
    # A therapist who is not away is alerted as before.
    other = book(practice.bob, "Oliver Bennett", starts_at=at11(9))
    assert _msgs(other, "new_booking") and _msgs(other, "received_away") == []


def test_no_reminder_or_escalation_about_requests_while_away(practice):
    alice_away(practice, days=1)
    during = book(practice.alice, requested_ago=timedelta(minutes=5), starts_at=at11(9))
    clock.freeze(NOW + timedelta(hours=3, minutes=30))  # due at 14:05: an hour left
    assert timers.tick().reminded == []
    clock.freeze(NOW + timedelta(hours=5))
    assert timers.tick().escalated == []  # it is already on the team's list
    assert _msgs(during, "reminder") == [] and _msgs(during, "escalation") == []
    # Back from leave: requests made after it are reminded as usual; the one made while away never is.
    clock.freeze(NOW + DAY + timedelta(hours=1))
    after = book(practice.alice, "Oliver Bennett", requested_ago=timedelta(0), starts_at=at11(9))
    assert _msgs(after, "new_booking")
    clock.freeze(NOW + DAY + timedelta(hours=4))
    result = timers.tick()
    assert after in result.reminded and during not in result.reminded + result.escalated


def test_a_request_made_before_leave_is_not_reminded_to_the_away_therapist(practice):
    before = book(practice.alice, requested_ago=timedelta(hours=3), starts_at=at11(9))  # 07:00, before leave: due 13:00
    alice_away(practice, days=1)
    clock.freeze(NOW + timedelta(hours=2))
    assert timers.tick().reminded == []
    clock.freeze(NOW + timedelta(hours=3))
    assert timers.tick().escalated == [before]  # the team still hears of it


def test_metrics_leave_away_requests_out_of_the_therapists_times_and_count_them_for_the_team(practice):
    build_alice(practice.alice)
    build_bob(practice.bob)
    period = periods.between(date(2026, 3, 1), date(2026, 11, 24), "Europe/London")
    before = metrics.report(practice.morgan, period).figures
    # Alice was away from Mon 16 Nov: her requests of 16, 17 and 20 Nov arrived while she was away.
    away.set_away(practice.morgan, practice.alice.id, london("2026-11-16 00:00"), london("2026-11-25 00:00"))
    mine = metrics.report(practice.alice, period).figures
    assert (mine.answered, mine.away, mine.requests) == (3, 3, 3)  # 5400, 9000, 9000 business seconds
    assert mine.median == 9000
    team = metrics.report(practice.morgan, period, refresh=True)
    assert team.figures.answered == before.answered == 6 and team.figures.away == 3
    assert team.figures.median == before.median
    row = next(r for r in team.therapists if r.name == "Alice Moreno")
    assert (row.figures.answered, row.figures.requests) == (3, 3)
