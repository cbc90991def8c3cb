"""Every action on another therapist's session, by direct call: nothing shown or changed, and the
answer is the same as for an id that doesn't exist. Manager-only functions refuse therapists."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lib.audit import view as audit_view
from lib.bookings import answers
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.bookings.reassign import reassign
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Forbidden, NotFound
from lib.core.models import Booking, BookingEvent, Notification
from lib.notify import outbox_review as messages
from lib.practice import settings
from tests.factories import book


def _therapist_calls(actor, bid):
    when = clock.now() + timedelta(days=3)
    return {
        "get_for": lambda: session_view.get_for(actor, bid, record_view=True),
        "confirmation_preview": lambda: bookings.confirmation_preview(actor, bid),
        "confirm": lambda: bookings.confirm(actor, bid, 1),
        "reschedule_agreed": lambda: answers.reschedule_agreed(actor, bid, 1, when),
        "offer_times": lambda: answers.offer_times(actor, bid, 1, [when]),
        "decline_not_fit": lambda: answers.decline_not_fit(actor, bid, 1, "x", "y", "z"),
        "cancel": lambda: answers.cancel(actor, bid, 1, "x", True),
    }


def _state(bid):
    with unit_of_work() as s:
        return (s.get(Booking, bid).status, s.get(Booking, bid).version,
                s.scalar(select(func.count()).select_from(BookingEvent)),
                s.scalar(select(func.count()).select_from(Notification)))


def test_every_session_action_on_another_therapists_session_is_not_found(practice):
    bid = book(practice.alice, "Hannah Whitfield")
    before = _state(bid)
    for name, call in _therapist_calls(practice.bob, bid).items():
        with pytest.raises(NotFound) as theirs:
            call()
        missing_call = _therapist_calls(practice.bob, 987654)[name]
        with pytest.raises(NotFound) as missing:
            missing_call()
        assert theirs.value.message == missing.value.message, name
    assert _state(bid) == before


def test_logged_out_calls_reveal_nothing(practice):
    bid = book(practice.alice)
    for call in _therapist_calls(None, bid).values():
        with pytest.raises((NotFound, Forbidden)):
            call()


def test_manager_only_functions_refuse_therapists(practice):
    bid = book(practice.alice)
    answers.decline_not_fit(practice.alice, bid, 1, "Not my area", "", "")
    from lib.imports import importer
    from lib.imports import manual_entry as manual_booking

    calls = {
        "reassign": lambda: reassign(practice.alice, bid, practice.bob.id),
        "audit": lambda: audit_view.entries(practice.alice),
        "practice_settings": lambda: settings.practice_settings(practice.alice),
        "outbox": lambda: messages.list_messages(practice.alice),
        "message": lambda: messages.get_message(practice.alice, 1),
        "retry": lambda: messages.retry(practice.alice, 1),
        "import": lambda: importer.import_csv(practice.alice, io.BytesIO(b"therapist\n")),
        "manual": lambda: manual_booking.therapist_choices(practice.alice),
    }
    for call in calls.values():
        with pytest.raises(Forbidden):
            call()
    assert bookings.queue(practice.bob).items == []


def test_two_therapists_with_one_name_are_told_apart_in_the_managers_filters(practice):
    from lib.people import auth, directory
    from tests.factories import PASSWORD

    with unit_of_work(write=True) as s:
        auth.add_user(s, "alice.m2", "Alice Moreno", "alice.m2@practice.example", "therapist", PASSWORD)

    labels = [label for _, label in directory.choices(practice.morgan)]
    assert labels == ["Alice Moreno (alice)", "Alice Moreno (alice.m2)", "Bob Okafor"]
    assert directory.choices(practice.alice) == [(practice.alice.id, "Alice Moreno")]  # only herself, by name
