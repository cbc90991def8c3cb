"""SMS really go out: the real twilio client talks to a local Twilio-compatible HTTP server."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.models import Notification
from lib.notify import dispatcher, outbox
from lib.notify.templates import Rendered
from tests.conftest import NOW
from tests.factories import book
from tests.servers import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, smtp_server, twilio_server  # noqa: F401

MOBILE = "+447911123456"  # alice's alert number in tests/factories.py


def _sms_rows() -> list[Notification]:
    with unit_of_work() as s:
        return list(s.scalars(select(Notification).where(Notification.channel == "sms").order_by(Notification.id)))


def test_new_booking_texts_a_therapist_who_opted_in(practice, smtp_server, twilio_server):
    booking_id = book(practice.alice, client="Hannah Whitfield", starts_at=NOW.replace(day=26, hour=14))
    book(practice.bob, client="Ann Other", email="ann@client.example")  # bob did not opt in: email only

    counts = dispatcher.run_once()

    assert (counts.retrying, counts.failed) == (0, 0)  # everything went out
    [req] = twilio_server.requests
    assert req.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert req.auth == (TWILIO_SID, TWILIO_TOKEN)
    assert req.form["To"] == MOBILE
    assert req.form["From"] == TWILIO_FROM
    body = req.form["Body"]
    assert "new individual session request" in body and "Thu 26 Nov 2026, 14:00 GMT" in body
    assert f"http://desk.test/session?id={booking_id}" in body
    assert "Whitfield" not in body and "Hannah" not in body  # no client name in an SMS
    [row] = _sms_rows()
    assert row.status == "sent" and row.provider_id.startswith("SM")


@pytest.mark.parametrize("trouble", [500, 429])
def test_provider_trouble_is_retried_and_sends_one_sms(practice, twilio_server, trouble):
    book(practice.alice)
    twilio_server.answer_next(trouble)

    counts = dispatcher.run_once()

    assert counts.retrying >= 1
    [row] = _sms_rows()
    assert row.status == "pending" and f"Twilio answered {trouble}" in row.last_error
    clock.freeze(NOW + timedelta(minutes=1))
    assert dispatcher.run_once().sent == 1
    clock.freeze(NOW + timedelta(hours=5))
    dispatcher.run_once()
    assert [r.answered for r in twilio_server.requests] == [trouble, 201]
    assert len(twilio_server.delivered) == 1
    [row] = _sms_rows()
    assert (row.status, row.attempts) == ("sent", 2)


def test_invalid_number_from_the_provider_fails_without_retrying(practice, twilio_server):
    book(practice.alice)
    twilio_server.answer_next(400)

    assert dispatcher.run_once().failed == 1

    [row] = _sms_rows()
    assert row.status == "failed"
    assert "400" in row.last_error and "not a valid phone number" in row.last_error
    clock.freeze(NOW + timedelta(days=1))
    dispatcher.run_once()
    assert len(twilio_server.requests) == 1


def test_a_bad_number_never_reaches_the_provider(sqlite_practice, twilio_server):
    with unit_of_work(write=True) as s:
        outbox.enqueue(s, cause="test:bad", channel="sms", recipient="+44 12", message=Rendered("x", None, "Hi"))

    assert dispatcher.run_once().failed == 1

    [row] = _sms_rows()
    assert row.status == "failed" and "not a valid phone number" in row.last_error
    assert twilio_server.requests == []


def test_provider_unreachable_keeps_the_sms_pending(sqlite_practice, twilio_server):
    book(sqlite_practice.alice, notify=False)
    with unit_of_work(write=True) as s:
        for i in range(3):
            outbox.enqueue(s, cause=f"test:{i}", channel="sms", recipient=MOBILE,
                           message=Rendered("x", None, f"Hi {i}"))
    twilio_server.stop()

    counts = dispatcher.run_once()

    assert counts.retrying == 3
    assert {(r.status, r.attempts) for r in _sms_rows()} == {("pending", 1)}
    assert all("Can't reach Twilio" in r.last_error for r in _sms_rows())
