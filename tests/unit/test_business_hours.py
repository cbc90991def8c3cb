"""Due times in business hours: Mon–Fri 09:00–17:30 Europe/London, bank holidays in England."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lib.practice.business_hours import BusinessCalendar, add_business_seconds, business_seconds_between
from lib.practice.rules import DEFAULTS, ESCALATION_GRACE_HOURS, Rules

LONDON = ZoneInfo("Europe/London")
CAL = BusinessCalendar()
FOUR_HOURS = 4 * 3600


def utc(y, mo, d, h, mi=0):
    """A London wall-clock time as the naive UTC the database stores."""
    return datetime(y, mo, d, h, mi, tzinfo=LONDON).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@pytest.mark.parametrize("requested, due", [
    (utc(2026, 11, 24, 10), utc(2026, 11, 24, 14)),          # plain Tuesday morning
    (utc(2026, 11, 20, 17), utc(2026, 11, 23, 12, 30)),      # Friday 17:00 → Monday 12:30
    (utc(2026, 11, 21, 3), utc(2026, 11, 23, 13)),           # Saturday night: clock starts Monday 09:00
    (utc(2026, 11, 24, 19), utc(2026, 11, 25, 13)),          # after hours: next morning
    (utc(2026, 12, 24, 16), utc(2026, 12, 29, 11, 30)),      # Christmas, Boxing Day (substitute Mon 28th)
    (utc(2026, 3, 27, 15), utc(2026, 3, 30, 10, 30)),        # across the spring clock change
    (utc(2026, 10, 23, 16), utc(2026, 10, 26, 11, 30)),      # across the autumn clock change
    (utc(2026, 4, 2, 15), utc(2026, 4, 7, 10, 30)),          # Good Friday and Easter Monday
])
def test_due_time_is_four_business_hours_later(requested, due):
    assert add_business_seconds(requested, FOUR_HOURS, CAL) == due


def test_business_seconds_between_friday_evening_and_monday_morning():
    # Friday 17:00 → Monday 10:00 is 30 min on Friday plus 1 h on Monday.
    assert business_seconds_between(utc(2026, 11, 20, 17), utc(2026, 11, 23, 10), CAL) == 90 * 60


def test_business_seconds_between_is_zero_outside_hours_and_when_reversed():
    assert business_seconds_between(utc(2026, 11, 21, 9), utc(2026, 11, 22, 18), CAL) == 0
    assert business_seconds_between(utc(2026, 11, 24, 12), utc(2026, 11, 24, 11), CAL) == 0


def test_spring_forward_day_counts_wall_clock_hours():
    # Monday 30 March 2026 is the first BST weekday: 09:00–17:30 local is still 8.5 hours.
    assert business_seconds_between(utc(2026, 3, 30, 0), utc(2026, 3, 31, 0), CAL) == int(8.5 * 3600)


def test_inverse_of_add():
    start = utc(2026, 11, 20, 16, 45)
    end = add_business_seconds(start, 3 * 3600 + 17 * 60, CAL)
    assert business_seconds_between(start, end, CAL) == 3 * 3600 + 17 * 60


def test_no_opening_hours_is_a_clear_error():
    closed = BusinessCalendar.from_settings("Europe/London", {}, "GB", "ENG")
    with pytest.raises(ValueError, match="no business hours"):
        add_business_seconds(utc(2026, 11, 24, 10), 3600, closed)


@pytest.mark.parametrize("lead_hours, expected_cutoff_from_start", [
    (3, timedelta(0)), (11, timedelta(hours=-2)), (18, timedelta(hours=-6)), (30, timedelta(hours=-12)),
    (60, timedelta(hours=-36)),
])
def test_expiry_schedule_by_lead_time(lead_hours, expected_cutoff_from_start):
    # Requested Tuesday 09:00: due 13:00, the managers' chance ends 17:00, before every one of these cut-offs.
    rules = Rules(DEFAULTS)
    requested = utc(2026, 11, 24, 9)
    starts = requested + timedelta(hours=lead_hours)
    assert rules.expires_at(requested, starts) == starts + expected_cutoff_from_start


def test_long_lead_expires_sixteen_business_hours_after_request_and_due_is_capped_by_the_start():
    rules = Rules(DEFAULTS)
    requested = utc(2026, 11, 24, 10)  # Tuesday: 7.5 h left today, 8.5 h on Wednesday
    assert rules.expires_at(requested, requested + timedelta(days=10)) == utc(2026, 11, 25, 17, 30)
    # A session 3 h away expires at its start, before 4 business hours pass: due = start.
    soon = requested + timedelta(hours=3)
    assert rules.response_due_at(requested, soon) == soon


def test_a_saturday_request_for_next_week_stays_open_past_mondays_escalation():
    rules = Rules(DEFAULTS)
    requested = utc(2026, 11, 28, 0, 31)
    starts = requested + timedelta(days=5)
    assert rules.response_due_at(requested, starts) == utc(2026, 11, 30, 13)  # Monday, 4 business hours
    assert rules.expires_at(requested, starts) == utc(2026, 12, 1, 16, 30)  # Tuesday: 8.5 h Monday + 7.5 h


def test_a_cut_off_that_falls_on_the_weekend_waits_for_the_managers_chance():
    rules = Rules(DEFAULTS)
    requested = utc(2026, 11, 28, 0, 31)  # Saturday; 70 h lead → "36 h before the start" is Sunday 10:31
    assert rules.expires_at(requested, requested + timedelta(hours=70)) == utc(2026, 11, 30, 17)  # due 13:00 + 4
    # A session that starts before the chance ends expires at its start.
    monday_ten = utc(2026, 11, 30, 10)
    assert rules.expires_at(requested, monday_ten) == monday_ten
    assert rules.response_due_at(requested, monday_ten) == monday_ten


def test_a_schedule_stored_in_calendar_hours_is_read_as_working_days():
    old = [*DEFAULTS["expiry_schedule"][:-1], {"lead_under_hours": None, "hours_after_request": 48}]
    longer = [*old[:-1], {"lead_under_hours": None, "hours_after_request": 72}]
    requested, starts = utc(2026, 11, 24, 10), utc(2026, 12, 4, 10)
    assert Rules({**DEFAULTS, "expiry_schedule": old}).expires_at(requested, starts) == utc(2026, 11, 25, 17, 30)
    assert Rules({**DEFAULTS, "expiry_schedule": longer}).expires_at(requested, starts) == utc(2026, 11, 26, 17)


def test_no_request_expires_before_the_managers_chance_unless_the_session_starts_first():
    rules = Rules(DEFAULTS)
    grace = ESCALATION_GRACE_HOURS * 3600
    for hour in range(0, 7 * 24, 5):  # through a week, bank holiday-free, at odd hours
        requested = utc(2026, 11, 23, 0) + timedelta(hours=hour, minutes=17)
        for lead in (1, 5, 7, 11, 13, 20, 30, 47, 50, 71, 73, 100, 300):
            starts = requested + timedelta(hours=lead)
            due, expires = rules.response_due_at(requested, starts), rules.expires_at(requested, starts)
            assert due <= expires <= starts
            assert expires == starts or business_seconds_between(due, expires, CAL) >= grace, (requested, lead)


@pytest.mark.parametrize("cal", [
    CAL,
    BusinessCalendar.from_settings("America/New_York", {"mon": [("08:00", "12:00"), ("13:00", "18:30")],
                                                        "tue": [("13:00", "18:30"), ("08:00", "12:00")],
                                                        "sat": [("10:00", "14:00")]}, "US", None),
], ids=["london", "new-york-split-days"])
@pytest.mark.parametrize("end", [utc(2026, 4, 1, 11, 7), utc(2026, 11, 3, 12, 30), utc(2026, 12, 29, 20)],
                         ids=["after-spring-change-mid-morning", "after-autumn-change-lunch", "after-christmas"])
def test_opening_time_until_an_end_equals_the_day_by_day_walk_from_every_start(cal, end):
    """/metrics' waits of open requests until now (lib.metrics.kept) are these sums: each must equal the walk."""
    import random

    from lib.practice.business_hours import OpeningTimeUntil

    earliest = end - timedelta(days=40)
    until = OpeningTimeUntil(cal, earliest, end)
    epoch = datetime(1970, 1, 1)
    rnd = random.Random(7)
    starts = [earliest + timedelta(seconds=rnd.randrange(0, 41 * 86400)) for _ in range(2000)]
    starts += [a for day in range(45) for a, _ in cal.intervals_on((end - timedelta(days=day)).date())]  # openings
    starts += [earliest - timedelta(days=3, minutes=1), earliest, end, end + timedelta(hours=1)]  # the edges
    for start in starts:
        seconds = int((start - epoch).total_seconds())
        assert until.seconds_from(seconds) == business_seconds_between(start, end, cal), start
