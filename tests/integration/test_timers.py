"""Reminders, escalations and expiry, driven by moving the pinned clock (never by sleeping)."""
import csv
import io
from datetime import datetime, timedelta

from lib import worker
from lib.bookings import answers
from lib.bookings import deadlines as timers
from lib.core import clock
from lib.core.db import unit_of_work
from lib.metrics import periods
from lib.metrics import report as metrics
from lib.metrics.export import rows_csv
from lib.practice.rules import DEFAULT_EXPIRY_SCHEDULE, set_value
from tests.conftest import NOW
from tests.factories import book
from tests.integration.test_answers import _booking, _msgs, at11


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


def test_an_expired_request_keeps_how_long_it_waited_when_the_practice_changes_its_hours(practice):
    bid = book(practice.alice, email="hannah@client.example", starts_at=at11(2))  # requested 09:00, expires 23:00
    at(23, 0)
    assert timers.tick().expired == [bid]
    waited = 8.5 * 3600  # 09:00 to 17:30, the business day it waited through
    assert _booking(bid).response_business_seconds == waited
    rows = {r.name: r for r in metrics.report(practice.morgan, refresh=True).therapists}
    with unit_of_work(write=True) as s:  # later the practice opens 08:00-20:00: the wait stays as it was
        set_value(s, "business_hours", {d: [("08:00", "20:00")] for d in ("mon", "tue", "wed", "thu", "fri")})
    again = {r.name: r for r in metrics.report(practice.morgan, refresh=True).therapists}
    assert again["Alice Moreno"].figures == rows["Alice Moreno"].figures
    assert _booking(bid).response_business_seconds == waited
    lines = list(csv.DictReader(io.StringIO(rows_csv(practice.morgan, periods.last_days(30)))))
    assert [line["Response (business hours)"] for line in lines] == ["8.5"]


def test_an_offer_nobody_answers_expires_after_24_hours(practice):
    bid = book(practice.alice, starts_at=at11(5))
    answers.offer_times(practice.alice, bid, 1, [at11(6)])
    at(9, 59, days=1)
    assert timers.tick().expired == []
    at(10, 0, days=1)
    assert timers.tick().expired == [bid]
    assert [m.recipient for m in _msgs(bid, "expired_offer")] == ["morgan@practice.example"]


def test_the_dispatch_command_runs_the_deadlines_too(practice, monkeypatch):

    bid = book(practice.alice, starts_at=at11(6))
    at(12, 0)
    assert worker.main(once=True) == 0
    assert [m.status for m in _msgs(bid, "reminder")] == ["not_sent"]  # no SMTP here: kept, marked not sent


SATURDAY_0031 = datetime(2026, 11, 28, 0, 31)  # London is on GMT: naive UTC = wall clock


def on(day, hour, minute=0):
    """Move the clock to a day of the week after SATURDAY_0031 (28 Nov 2026), at a London wall-clock time."""
    offset = ("sat", "sun", "mon", "tue", "wed", "thu").index(day)
    clock.freeze(SATURDAY_0031.replace(hour=hour, minute=minute) + timedelta(days=offset))


def test_a_saturday_request_for_next_week_waits_for_the_working_week_and_the_client_is_told_once(practice):
    clock.freeze(SATURDAY_0031)
    bid = book(practice.alice, email="hannah@client.example", starts_at=SATURDAY_0031 + timedelta(days=5),
               requested_ago=timedelta(0))
    for day, hour, minute in (("sat", 12, 0), ("sun", 23, 0), ("mon", 0, 31), ("mon", 11, 59)):
        on(day, hour, minute)
        assert timers.tick() == timers.TickResult(), (day, hour, minute)  # no reminder, escalation or expiry
    assert _booking(bid).status == "unconfirmed"
    on("mon", 12, 0)
    assert timers.tick().reminded == [bid]  # an hour before Monday 13:00, the answer's due time
    on("mon", 13, 0)
    assert timers.tick() == timers.TickResult(escalated=[bid])
    on("mon", 17, 0)  # the managers had their 4 business hours after the escalation: still open
    assert timers.tick().expired == [] and _booking(bid).status == "unconfirmed"
    on("tue", 16, 29)
    assert timers.tick().expired == []
    on("tue", 16, 30)  # 16 business hours after the request: 8.5 on Monday and 7.5 on Tuesday
    assert timers.tick().expired == [bid]
    assert timers.tick().expired == []
    assert _booking(bid).status == "expired"
    assert [m.recipient for m in _msgs(bid, "expired_client")] == ["hannah@client.example"]
    assert [m.recipient for m in _msgs(bid, "expired_manager")] == ["morgan@practice.example"]
    assert [m.recipient for m in _msgs(bid, "escalation")] == ["morgan@practice.example"]


def test_a_session_that_starts_first_expires_at_its_start_never_after(practice):
    clock.freeze(SATURDAY_0031)
    monday_ten = SATURDAY_0031.replace(hour=10, minute=0) + timedelta(days=2)  # before Monday's escalation
    bid = book(practice.alice, email="hannah@client.example", starts_at=monday_ten, requested_ago=timedelta(0))
    on("sat", 22, 0)  # "36 h before the start" under the calendar schedule, with no business hour in it
    assert timers.tick().expired == []
    on("mon", 9, 59)
    assert timers.tick().expired == [] and _booking(bid).status == "unconfirmed"
    assert len(_msgs(bid, "reminder")) == 1  # the answer is due at the start: one business hour is all there is
    on("mon", 10, 0)
    assert timers.tick().expired == [bid]
    assert timers.tick().expired == []
    assert _booking(bid).expires_at == monday_ten
    assert len(_msgs(bid, "expired_client")) == 1


def test_a_practice_with_the_old_calendar_schedule_stored_still_waits_for_the_working_week(practice):
    with unit_of_work(write=True) as s:
        old = [*DEFAULT_EXPIRY_SCHEDULE[:-1], {"lead_under_hours": None, "hours_after_request": 48}]
        set_value(s, "expiry_schedule", old)
    clock.freeze(SATURDAY_0031)
    bid = book(practice.alice, starts_at=SATURDAY_0031 + timedelta(days=5), requested_ago=timedelta(0))
    on("mon", 9, 0)  # calendar hours would have expired it at 00:31
    assert timers.tick().expired == []
    on("tue", 16, 30)  # 48 calendar hours read as two working days
    assert timers.tick().expired == [bid]
