"""Settings: validated, all-or-nothing, and used by the rules that depend on them."""
import pytest

from lib.bookings import detail as session_view
from lib.core.errors import Forbidden, InvalidFields, InvalidInput
from lib.practice import settings
from lib.practice.rules import DEFAULT_EXPIRY_SCHEDULE
from tests.factories import book

GOOD = dict(email="alice@practice.example", phone="020 7946 0123", sms_opt_in=True, sms_phone="07911 123456",
            timezone="Europe/London", hours={"mon": "09:00-12:30, 13:30-17:00", "tue": "10:00-18:00"},
            addresses="12 Harley Street\n5 Deansgate", video_services="Zoom")


def test_therapist_settings_are_validated_normalised_and_saved(practice):
    settings.update_mine(practice.alice, **GOOD)
    mine = settings.mine(practice.alice)
    assert (mine.phone, mine.sms_phone) == ("+442079460123", "+447911123456")
    assert mine.working_hours["mon"] == [["09:00", "12:30"], ["13:30", "17:00"]]
    assert mine.working_hours["wed"] == []
    assert mine.addresses == ["12 Harley Street", "5 Deansgate"]


def test_bad_values_get_a_message_per_field_and_change_nothing(practice):
    before = settings.mine(practice.alice)
    with pytest.raises(InvalidFields) as err:
        settings.update_mine(practice.alice, **{**GOOD, "sms_phone": "12345", "timezone": "Mars/Olympus",
                                                 "email": "not-an-email", "hours": {"mon": "17:00-09:00"}})
    assert set(err.value.errors) == {"sms_phone", "timezone", "email", "hours_mon"}
    assert settings.mine(practice.alice) == before


def test_sms_alerts_need_a_mobile_number(practice):
    with pytest.raises(InvalidFields) as err:
        settings.update_mine(practice.alice, **{**GOOD, "sms_phone": ""})
    assert "mobile number" in err.value.errors["sms_phone"]


@pytest.mark.parametrize("text, problem", [("9-5", "isn't a time range"), ("09:00-09:00", "start before"),
                                           ("09:00-12:00, 11:00-13:00", "overlap")])
def test_hours_parsing(text, problem):
    with pytest.raises(InvalidInput, match=problem):
        settings.parse_hours(text)


def test_practice_rules_are_for_managers_and_change_new_due_times(practice):
    with pytest.raises(Forbidden):
        settings.practice_settings(practice.alice)
    week = {"mon": "08:00-20:00", "tue": "08:00-20:00", "wed": "08:00-20:00", "thu": "08:00-20:00",
            "fri": "08:00-20:00"}
    settings.update_practice(practice.morgan, timezone="Europe/London", hours=week, holiday_country="GB",
                             holiday_subdiv="SCT", response_target_hours=2, expiry_schedule=DEFAULT_EXPIRY_SCHEDULE)
    bid = book(practice.alice)  # requested Tue 09:00 → due 2 business hours later
    assert session_view.get_for(practice.alice, bid).response_due_at.hour == 11


def test_bad_practice_rules_change_nothing(practice):
    before = settings.practice_settings(practice.morgan)
    bad_schedule = [{"lead_under_hours": 12, "hours_before_start": 2}, {"lead_under_hours": 6, "hours_before_start": 1},
                    {"hours_after_request": 48}]
    with pytest.raises(InvalidFields) as err:
        settings.update_practice(practice.morgan, timezone="Europe/London", hours={}, holiday_country="XX",
                                 holiday_subdiv="", response_target_hours=500, expiry_schedule=bad_schedule)
    assert {"holiday_country", "response_target_hours", "expiry_schedule"} <= set(err.value.errors)
    assert settings.practice_settings(practice.morgan) == before
