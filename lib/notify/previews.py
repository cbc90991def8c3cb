"""Every message template rendered with sample data, so managers can read what people receive."""
from __future__ import annotations

from datetime import timedelta

from lib.core import clock
from lib.notify import templates as t

LINK = "https://desk.example/session?id=123"
CLIENT_LINK = "https://desk.example/respond?token=sample"


def _facts() -> t.SessionFacts:
    start = (clock.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    return t.SessionFacts(
        booking_id=123, version=2, session_type="couple", attendees=["Jo Sample", "Alex Sample"], starts_at=start,
        duration_minutes=50, delivery="online", video_service="Zoom", join_details="https://zoom.example/j/123",
        address=None, therapist_name="Alice Moreno", therapist_email="alice@practice.example",
        therapist_phone="+442079460123", client_name="Jo Sample", client_email="jo@example.com",
        client_tz="Europe/London", extra={"my_session": "https://desk.example/my-session?token=sample"},
    )


def _all() -> dict:
    f = _facts()
    due = clock.now() + timedelta(hours=4)
    tz = "Europe/London"
    return {
        "new_booking": lambda: t.new_booking_email(f, tz, due, LINK, "https://desk.example/confirm?token=sample"),
        "new_booking_sms": lambda: t.new_booking_sms(f, tz, due, LINK, "4821"),
        "booking_received": lambda: t.booking_received_email(f, "https://desk.example/assessment?token=sample"),
        "confirmed": lambda: t.confirmed_email(f),
        "rescheduled": lambda: t.rescheduled_email(f, f.starts_at - timedelta(days=1)),
        "times_offered": lambda: t.times_offered_email(f, [f.starts_at, f.starts_at + timedelta(days=1)], CLIENT_LINK),
        "times_offered_sms": lambda: t.times_offered_sms(f, CLIENT_LINK),
        "declined_client": lambda: t.declined_client_email(f),
        "cancelled": lambda: t.cancelled_client_email(f, True),
        "expired_client": lambda: t.expired_client_email(f),
        "reminder": lambda: t.reminder_email(f, tz, due, LINK),
        "reminder_sms": lambda: t.reminder_sms(f, tz, due, LINK),
        "client_picked": lambda: t.client_picked_email(f, tz, LINK),
        "assessment_ready": lambda: t.assessment_ready_email(f, tz, LINK),
        "escalation": lambda: t.escalation_email(f, due, LINK),
        "declined_manager": lambda: t.declined_manager_email(f, "Outside my area of practice", "A couples specialist",
                                                             LINK),
        "none_fits": lambda: t.none_fits_manager_email(f, LINK),
        "expired_manager": lambda: t.expired_manager_email(f, LINK),
        "expired_offer": lambda: t.expired_manager_email(f, LINK, offer=True),
        "times_changed": lambda: t.times_offered_email(f, [f.starts_at + timedelta(days=2)], CLIENT_LINK, changed=True),
        "offer_withdrawn": lambda: t.offer_withdrawn_email(f),
        "times_offered_move": lambda: t.times_offered_email(f, [f.starts_at + timedelta(days=1)], CLIENT_LINK,
                                                            stays_booked=True),
        "client_cancelled": lambda: t.client_cancelled_email(f, late=False),
        "client_cancelled_therapist": lambda: t.cancelled_by_client_email(f, tz, True, LINK),
        "time_asked": lambda: t.time_asked_email(f, tz, LINK),
        "time_request_no": lambda: t.time_request_declined_email(f, "I'm sorry, I have no other times that week."),
        "kept_time": lambda: t.kept_time_email(f, tz, LINK),
        "received_away": lambda: t.received_while_away_email(f, "https://desk.example/assessment?token=sample",
                                                             f.starts_at - timedelta(days=1)),
        "therapist_away": lambda: t.therapist_away_manager_email(f, f.starts_at - timedelta(days=1), LINK),
    }


def names() -> list[str]:
    return list(t.TEMPLATE_TITLES)


def preview(name: str) -> t.Rendered:
    return _all()[name]()
