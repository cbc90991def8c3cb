"""/new-booking through the real app script (AppTest): the upload with its error table, and manual entry."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lib.bookings import dashboard as bookings
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Forbidden
from lib.core.models import Booking, Notification
from lib.imports import importer
from tests.app.helpers import logged_in_app, open_page, switch_page, texts
from tests.factories import book

HEADER = ("therapist,client_name,client_email,client_phone,session_type,attendees,starts_at,duration_minutes,"
          "delivery,video_service,address,requested_at")
GOOD = HEADER + "\r\n" + "\r\n".join([
    "alice,Hannah Whitfield,hannah@example.org,+44 7400 123456,individual,,2026-12-01T14:00+00:00,50,online,Zoom,,",
    'bob,Tomás Ferreira,tomas@example.org,,couple,"Tomás Ferreira; Inês Ferreira",2026-12-02T15:00+00:00,50,'
    'in_person,,"12 Harley Street, London",',
]) + "\r\n"
BAD = HEADER + "\n" + "\n".join([
    "alice,Hannah Whitfield,not-an-email,,individual,,2026-12-01T14:00+00:00,50,online,Zoom,,",
    "carol,Ben Ng,ben@example.org,,individual,,2026-12-01T15:00+00:00,50,online,Zoom,,",
    "alice,Ada Lo,ada@example.org,,individual,,2026-12-01T16:00+00:00,50,online,Zoom,,",
]) + "\n"


def _count(model) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model))


def _upload(at, name: str, content: bytes):
    at.file_uploader(key="nb_file").set_value((name, content, "text/csv")).run()
    at.button(key="nb_import").click().run()
    assert not at.exception
    return at


def test_good_file_imports_and_says_how_much(sqlite_practice):
    at = _upload(open_page("morgan", "new_booking.py"), "export.csv", GOOD.encode("utf-8-sig"))
    assert at.success[0].value.startswith("Imported 2 sessions: 2 new clients, 5 messages")
    assert at.progress[0].value == 100
    assert _count(Booking) == 2
    assert [i.attendees for i in bookings.queue(sqlite_practice.bob).items] == [["Tomás Ferreira", "Inês Ferreira"]]


def test_bad_file_shows_every_problem_in_a_table_and_imports_nothing(sqlite_practice):
    at = _upload(open_page("morgan", "new_booking.py"), "export.csv", BAD.encode())
    assert "Nothing was imported: 2 rows have problems" in at.error[0].value
    table = at.dataframe[0].value
    assert list(table["Line"]) == [2, 3]
    assert list(table["Column"]) == ["client_email", "therapist"]
    assert "not a valid email address" in table["Problem"][0]
    assert "no therapist with the username 'carol'" in table["Problem"][1]
    assert _count(Booking) == 0


def test_same_file_again_is_a_calm_nothing_new(sqlite_practice):
    _upload(open_page("morgan", "new_booking.py"), "export.csv", GOOD.encode())
    at = _upload(open_page("morgan", "new_booking.py"), "export.csv", GOOD.encode())
    assert "All 2 sessions in this file were already imported" in at.info[0].value
    assert not at.error
    assert _count(Booking) == 2


def test_unreadable_file_gets_a_clear_message(sqlite_practice):
    at = _upload(open_page("morgan", "new_booking.py"), "empty.csv", b"")
    assert "The file is empty" in at.error[0].value
    at = _upload(open_page("morgan", "new_booking.py"), "only-header.csv", HEADER.encode())
    assert "header line but no bookings" in at.error[0].value


def test_extra_columns_are_named_as_ignored(sqlite_practice):
    lines = GOOD.splitlines()
    content = "\n".join([lines[0] + ",notes", lines[1] + ",call after 5"]) + "\n"
    at = _upload(open_page("morgan", "new_booking.py"), "export.csv", content.encode())
    assert "ignored: notes." in texts(at).replace("\\", "")  # shown markdown-escaped


def test_therapists_cannot_open_the_page_nor_import_behind_it(sqlite_practice):
    at = logged_in_app("alice")
    at.run()
    switch_page(at, "new_booking.py").run()
    assert "This page is for practice managers" in texts(at) and not at.text_input
    with pytest.raises(Forbidden):
        importer.import_csv(sqlite_practice.alice, io.BytesIO(GOOD.encode()), "export.csv")
    assert _count(Booking) == 0


def _fill(at, **overrides):
    values = dict(nb_therapist="alice", nb_client_name="Hannah Whitfield", nb_client_email="hannah@example.org",
                  nb_client_phone="07400 123456", nb_date=(clock.now() + timedelta(days=2)).date(),
                  nb_time=clock.now().replace(hour=11, minute=0).time(), nb_video_service="Zoom")
    values.update(overrides)
    at.selectbox(key="nb_therapist").set_value(values.pop("nb_therapist"))
    at.date_input(key="nb_date").set_value(values.pop("nb_date"))
    at.time_input(key="nb_time").set_value(values.pop("nb_time"))
    for key, value in values.items():
        at.text_input(key=key).set_value(value)
    at.run()
    at.button(key="nb_check").click().run()
    assert not at.exception
    return at


def test_manual_entry_checks_fields_like_an_import(sqlite_practice):
    at = _fill(open_page("morgan", "new_booking.py"), nb_client_email="hannah-at-example", nb_client_phone="123")
    errors = [e.value for e in at.error]
    assert any("not a valid email address" in e for e in errors)
    assert any("not a valid phone number" in e for e in errors)
    assert not [b for b in at.button if b.key == "nb_save"]


def test_manual_entry_shows_the_clash_before_saving_and_then_saves(sqlite_practice):
    start = clock.now().replace(hour=11) + timedelta(days=2)
    taken = book(sqlite_practice.alice, "Oliver Bennett", email="oliver@example.org", starts_at=start)
    bookings.confirm(sqlite_practice.alice, taken, 1)
    at = _fill(open_page("morgan", "new_booking.py"))
    assert "Clash" in at.error[0].value
    assert at.button(key="nb_save").disabled
    at.checkbox(key="nb_anyway").check().run()
    at.button(key="nb_save").click().run()
    assert not at.exception
    assert at.success[0].value == ("Session saved. Email and SMS are not set up on this server, so these 3 messages "
                                   "to Alice Moreno and the client have **not** been sent; they are kept in the outbox.")
    detail = next(i for i in bookings.queue(sqlite_practice.alice).items if i.attendees == ["Hannah Whitfield"])
    assert detail.starts_at == start
    with unit_of_work() as s:
        channels = s.scalars(select(Notification.channel).where(Notification.booking_id == detail.id)).all()
    assert sorted(channels) == ["email", "email", "sms"]  # the client's link; alice's email and text
    assert at.text_input(key="nb_client_name").value == ""  # the form is ready for the next booking


def test_manual_entry_refuses_a_duplicate(sqlite_practice):
    start = clock.now().replace(hour=11) + timedelta(days=2)
    book(sqlite_practice.alice, "Hannah Whitfield", email="hannah@example.org", starts_at=start)
    at = _fill(open_page("morgan", "new_booking.py"))
    assert any("Already booked" in e.value for e in at.error)
