"""What a new user tripped over (issue 20), through the real app: each test reads the page as a person would."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from lib.bookings import detail as session_view
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import InvalidInput
from lib.core.models import AuditEntry
from lib.practice import brand as practice_brand
from tests.app.helpers import app, open_page, switch_page, texts
from tests.app.test_answer_pages import _public
from tests.factories import book
from tests.integration.test_answers import _msgs, _token_from

MONDAY_EVENING = datetime(2026, 12, 7, 22, 30)  # GMT: the practice closed at 17:30, opens at 09:00
TUESDAY_NIGHT = datetime(2026, 12, 8, 2, 33)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _links(at) -> list[str]:
    return [link.label for link in at.get("page_link")]


def test_overnight_requests_say_when_they_are_due_and_why_in_waiting_order(sqlite_practice):
    clock.freeze(MONDAY_EVENING)
    book(sqlite_practice.alice, "Sam Patel", requested_ago=timedelta(minutes=20))
    book(sqlite_practice.alice, "Hannah Whitfield", requested_ago=timedelta(hours=2))
    at = open_page("alice", "dashboard.py")
    page = texts(at)
    assert at.title[0].value == "Good evening, Alice"
    # Both are due at the same moment; the one who has waited longer comes first, and the page says so.
    assert page.count("Due 13:00 tomorrow (4 business hours)") == 2
    assert "by when an answer is due, then by how long the client has waited" in page
    opens = [label for label in _links(at) if label.startswith("Open ")]
    assert opens == ["Open Hannah Whitfield's request", "Open Sam Patel's request"]


def test_no_good_evening_in_the_small_hours(sqlite_practice):
    clock.freeze(TUESDAY_NIGHT)
    at = open_page("alice", "dashboard.py")
    assert at.title[0].value == "Hello, Alice"


def test_a_manager_reads_the_therapists_name_not_you(sqlite_practice):
    bid = book(sqlite_practice.alice)
    manager = texts(open_page("morgan", "session.py", id=bid))
    assert "Only confirm if Alice is available at this time" in manager
    assert "if you are available" not in manager
    therapist = texts(open_page("alice", "session.py", id=bid))
    assert "Only confirm if you are available at this time" in therapist


def test_session_details_are_label_lines_without_an_empty_table_header(sqlite_practice):
    bid = book(sqlite_practice.alice)
    at = open_page("alice", "session.py", id=bid)
    details = next(str(m.value) for m in at.markdown if "### Session details" in str(m.value))
    details = details.split("### Messages")[0]  # the label-and-value sections, before the real tables
    assert "| |" not in details and "|---|---|" not in details
    assert "**Session type:** Individual" in details


def test_confirming_offers_the_next_request_and_the_queue(sqlite_practice):
    first = book(sqlite_practice.alice, "Hannah Whitfield", requested_ago=timedelta(hours=3))
    book(sqlite_practice.alice, "Sam Patel", requested_ago=timedelta(hours=1))
    at = open_page("alice", "session.py", id=first)
    at.button(key="confirm_open").click().run()
    at.button(key="confirm_final").click().run()
    assert "Session confirmed" in at.success[0].value
    assert "Next request: Sam Patel" in _links(at) and "Back to the queue" in _links(at)


def test_a_failed_sign_in_keeps_the_username_and_empties_the_password(sqlite_practice):
    at = app()
    at.run()
    at.text_input[0].input("alice")
    at.text_input[1].input("not the password")
    at.button[0].click().run()
    assert at.error and "password" in at.error[0].value.lower()
    assert at.text_input[0].value == "alice" and at.text_input[1].value == ""


def test_the_audit_trail_shows_words_and_empty_cells(sqlite_practice):
    bid = book(sqlite_practice.alice)
    open_page("alice", "session.py", id=bid)  # a view: an entry with a session and a client
    with unit_of_work(write=True) as s:  # a row an older version wrote, before its action had a label
        s.execute(insert(AuditEntry).values(at=clock.now(), username=None, action="something_new", detail=None))
    rows = open_page("morgan", "audit.py").dataframe[0].value
    assert "None" not in rows.to_string() and "nan" not in rows.to_string()
    assert set(rows["Action"]) >= {"Viewed a session and assessment", "Something new"}
    assert not any("_" in a for a in rows["Action"])


def test_the_self_assessment_is_one_tap_per_item_and_saved_as_the_client_goes(sqlite_practice):
    bid = book(sqlite_practice.alice, email="hannah@client.example")
    token = _token_from(_msgs(bid, "booking_received")[0])
    at = _public("assessment.py", token)
    page = texts(at)
    assert "Booking Desk Practice" in page  # the practice's name on the client's page
    assert "Who reads your answers:** your therapist, Alice Moreno" in page
    assert len(at.radio) == 16 and not at.selectbox and not at.multiselect
    assert [c.label for c in at.checkbox][:2] == ["Anxiety", "Depression"]  # no "Select all" first
    assert at.radio(key="phq9_8").horizontal and at.radio(key="phq9_8").options == [
        "Not at all", "Several days", "More than half the days", "Nearly every day"]

    at.radio(key="phq9_8").set_value(1).run()  # one tap; no button pressed
    at.checkbox(key="help_1").check().run()
    a = session_view.get_for(sqlite_practice.alice, bid).assessment
    assert a.phq9[8] == 1 and a.help_with == ["Depression"] and a.risk  # saved, and the therapist sees the flag
    assert "Saved at" in texts(at)

    again = _public("assessment.py", token)  # the client comes back later through the same link
    assert again.radio(key="phq9_8").value == 1 and again.checkbox(key="help_1").value


def test_the_client_pages_carry_the_practices_logo_when_one_is_set(sqlite_practice):
    practice_brand.update(sqlite_practice.morgan, "Riverside Therapy", logo=PNG)
    bid = book(sqlite_practice.alice, email="hannah@client.example")
    at = _public("assessment.py", _token_from(_msgs(bid, "booking_received")[0]))
    assert "Riverside Therapy" in texts(at)
    assert len(at.get("image")) == 1


def test_a_therapist_is_told_a_managers_page_is_for_managers(sqlite_practice):
    at = open_page("alice", "dashboard.py")
    switch_page(at, "new_booking.py").run()
    assert "This page is for practice managers" in texts(at)


def test_the_session_type_filter_always_names_a_choice(sqlite_practice):
    at = open_page("morgan", "metrics.py")
    box = at.selectbox(key="metrics_type")
    assert box.value == "all" and box.format_func(box.value) == "All types"
    assert None not in box.options and "All types" in box.options  # nothing to empty it into


def _fill_new_booking(at, day, hour: int) -> None:
    at.selectbox(key="nb_therapist").set_value("alice")
    at.date_input(key="nb_date").set_value(day)
    at.time_input(key="nb_time").set_value(datetime(2000, 1, 1, hour, 0).time())
    for key, value in dict(nb_client_name="Zoë Lambert", nb_client_email="zoe@example.org",
                           nb_video_service="Zoom").items():
        at.text_input(key=key).set_value(value)
    at.run()


def test_new_booking_opens_on_manual_entry_says_a_past_time_as_typed_and_clears_after_saving(sqlite_practice):
    clock.freeze(datetime(2026, 7, 6, 14, 0))  # 15:00 in London (BST): the manager types 09:00 today
    at = open_page("morgan", "new_booking.py")
    assert [t.label for t in at.tabs][0] == "Enter one booking"
    _fill_new_booking(at, datetime(2026, 7, 6).date(), 9)
    at.button(key="nb_check").click().run()
    page = texts(at).replace("\\", "")  # shown markdown-escaped
    assert "Mon 6 Jul 2026, 09:00 BST is in the past" in page
    assert "2026-07-06T09:00" not in page

    _fill_new_booking(at, datetime(2026, 7, 8).date(), 11)
    at.button(key="nb_check").click().run()
    at.button(key="nb_save").click().run()
    assert any(s.value.startswith("Session saved.") for s in at.success)
    assert at.text_input(key="nb_client_name").value == "" and at.text_input(key="nb_client_email").value == ""
    assert at.selectbox(key="nb_therapist").value is None and at.date_input(key="nb_date").value is None


def test_a_manager_sets_the_name_clients_see_and_a_wrong_logo_is_refused(sqlite_practice):
    at = open_page("morgan", "settings.py")
    at.text_input(key="p_brand_name").set_value("Riverside Therapy")
    at.button(key="FormSubmitter:practice_brand-Save what clients see").click().run()
    assert any("Saved. Clients see it" in s.value for s in at.success)
    assert practice_brand.brand().name == "Riverside Therapy"
    with pytest.raises(InvalidInput, match="PNG or JPEG"):
        practice_brand.update(sqlite_practice.morgan, "Riverside Therapy", logo=b"GIF89a not a png")
    assert practice_brand.brand().logo is None
