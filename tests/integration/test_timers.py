"""Reminders, escalations and expiry, driven by moving the pinned clock (never by sleeping)."""
from datetime import timedelta

from lib import answers, clock, timers
from tests.conftest import NOW
from tests.integration.test_answers import _booking, _msgs, at11
from tests.factories import book


def at(hour, minute=0, days=0):
    clock.freeze(NOW.replace(hour=hour, minute=minute) + timedelta(days=days))


def test_one_reminder_when_an_hour_is_left_then_one_escalation_at_the_due_time(practice):
    bid = book(practice.alice, starts_at=at11(6))  # requested 09:00 → due 13:00
    at(11, 30)
    assert timers.tick().reminded == []
    at(12, 0)
    assert timers.tick().reminded == [bid]
    assert {(m.channel, m.recipient) for m in _msgs(bid) if m.template.startswith("reminder")} == {
        ("email", "alice@practice.example"), ("sms", "+447911123456")}
    at(12, 30)
    assert timers.tick().reminded == []  # never two reminders for one cause
    assert timers.tick().escalated == []
    at(13, 0)
    assert timers.tick().escalated == [bid]
    assert [m.recipient for m in _msgs(bid, "escalation")] == ["morgan@practice.example"]
    at(15, 0)
    assert timers.tick().escalated == []
    assert len(_msgs(bid, "escalation")) == 1


def test_answered_sessions_get_no_reminder(practice):
    bid = book(practice.alice, starts_at=at11(6))
    answers.decline_not_fit(practice.alice, bid, 1, "Not my area", "", "")
    at(12, 0)
    result = timers.tick()
    assert result.reminded == [] and result.escalated == []


def test_unanswered_request_expires_at_its_cut_off_and_everyone_is_told(practice):
    bid = book(practice.alice, email="hannah@client.example", starts_at=at11(2))  # 50 h lead → 36 h before
    assert _booking(bid).expires_at == at11(2) - timedelta(hours=36)
    at(22, 59)
    assert timers.tick().expired == []
    at(23, 0)
    assert timers.tick().expired == [bid]
    assert _booking(bid).status == "expired"
    assert [m.recipient for m in _msgs(bid, "expired_client")] == ["hannah@client.example"]
    assert [m.recipient for m in _msgs(bid, "expired_manager")] == ["morgan@practice.example"]
    assert timers.tick().expired == []


def test_an_offer_nobody_answers_expires_after_24_hours(practice):
    bid = book(practice.alice, starts_at=at11(5))
    answers.offer_times(practice.alice, bid, 1, [at11(6)])
    at(9, 59, days=1)
    assert timers.tick().expired == []
    at(10, 0, days=1)
    assert timers.tick().expired == [bid]
    assert [m.recipient for m in _msgs(bid, "expired_offer")] == ["morgan@practice.example"]


def test_the_dispatch_command_runs_the_deadlines_too(practice, monkeypatch):
    from lib.notify import dispatcher

    bid = book(practice.alice, starts_at=at11(6))
    at(12, 0)
    assert dispatcher.main(once=True) == 0
    assert [m.status for m in _msgs(bid, "reminder")] == ["not_sent"]  # no SMTP here: kept, marked not sent
