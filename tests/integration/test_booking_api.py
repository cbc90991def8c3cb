"""The bookings API over real HTTP: a running server (`streamlit run streamlit_app.py`) on SQLite and on
PostgreSQL, a local SMTP server, and requests signed as the booking channel signs them."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa

from lib.bookings import dashboard as bookings
from lib.people.auth import actor_for
from tests.app_server import booking, deliver, new_secret, serving_fresh, signed_headers, status_of
from tests.servers import SmtpServer

pytestmark = pytest.mark.slow
ALICE = "alice@practice.example"


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, smtp, tmp_path_factory):
    with serving_fresh(request.param, tmp_path_factory.mktemp(f"api-{request.param}"), smtp.port) as srv:
        yield srv


def counts(database_url: str) -> dict:
    eng = sa.create_engine(database_url)
    try:
        with eng.connect() as conn:
            return {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar()
                    for t in ("bookings", "clients", "notifications", "channel_deliveries", "audit_log")}
    finally:
        eng.dispose()


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    raise AssertionError("waited in vain")


def test_a_signed_booking_reaches_the_therapists_queue_and_her_alert_email_arrives(server, smtp, monkeypatch):
    earlier = len(smtp.messages_to(ALICE))  # the mail server is shared by both databases' runs (ids may repeat)
    sent = booking(client_name="Robin Channel")
    answer = deliver(server.url, sent)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["status"] == "unconfirmed"
    assert created["status_url"] == f"{server.url}/api/v1/bookings/{created['id']}"

    monkeypatch.setenv("DATABASE_URL", server.database_url)
    queue = bookings.queue(actor_for("alice"))
    assert created["id"] in [item.id for item in queue.items]

    link = f"/session?id={created['id']}"
    alert = wait_for(lambda: [m for m in smtp.messages_to(ALICE)[earlier:]
                              if link in m.get_body(("plain",)).get_content()])
    assert len(alert) == 1
    assert wait_for(lambda: smtp.messages_to(sent["client_email"]))  # the client's "we received it" email too

    status = status_of(server.url, created["id"])
    assert status.status_code == 200
    assert status.json()["status"] == "unconfirmed"


def test_the_same_webhook_id_twice_gives_one_booking_and_the_same_answer(server):
    sent, webhook_id = booking(), "msg_retry_1_" + server.database_url[-6:]
    first = deliver(server.url, sent, webhook_id)
    before = counts(server.database_url)
    again = deliver(server.url, sent, webhook_id)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    after = counts(server.database_url)
    assert {k: after[k] for k in after if k != "audit_log"} == {k: before[k] for k in before if k != "audit_log"}

    other = deliver(server.url, booking(), webhook_id)  # the same id for another booking is a mistake
    assert other.status_code == 409


def test_the_same_booking_under_a_new_webhook_id_is_a_duplicate(server):
    sent = booking()
    first = deliver(server.url, sent)
    second = deliver(server.url, sent)
    assert second.status_code == 409
    assert second.json()["booking_id"] == first.json()["id"]


@pytest.mark.parametrize("case", ["no signature", "wrong secret", "tampered body", "stale timestamp",
                                  "future timestamp", "not json", "not an object", "bad fields", "oversize"])
def test_refused_calls_get_their_answer_and_leave_nothing_but_an_audit_entry(server, case):
    before = counts(server.database_url)
    body = json.dumps(booking()).encode()
    url = f"{server.url}/api/v1/bookings"
    headers = signed_headers(body)
    expected = 401
    if case == "no signature":
        headers = {"content-type": "application/json"}
    elif case == "wrong secret":
        headers = signed_headers(body, secret=new_secret())
    elif case == "tampered body":
        body = body.replace(b"Robin", b"Robyn")
    elif case == "stale timestamp":
        headers = signed_headers(body, at=datetime.now(UTC) - timedelta(minutes=6))
    elif case == "future timestamp":
        headers = signed_headers(body, at=datetime.now(UTC) + timedelta(minutes=6))
    elif case == "not json":
        body, expected = b"therapist=alice", 422
        headers = signed_headers(body)
    elif case == "not an object":
        body, expected = b"[1, 2]", 422
        headers = signed_headers(body)
    elif case == "bad fields":
        body = json.dumps(booking(therapist="nobody", client_email="not-an-email", starts_at="2020-01-01T10:00+00:00",
                                  duration_minutes=5, colour="blue")).encode()
        headers, expected = signed_headers(body), 422
    elif case == "oversize":
        body = json.dumps(booking(client_name="x" * 70_000)).encode()
        headers, expected = signed_headers(body), 413
    answer = requests.post(url, data=body, headers=headers, timeout=30)
    assert answer.status_code == expected, answer.text
    if expected == 401:
        assert answer.json() == {"error": "unauthorized"}  # the same words whatever was wrong
    if case == "bad fields":
        fields = {p["field"] for p in answer.json()["problems"]}
        assert {"therapist", "client_email", "starts_at", "duration_minutes", "colour"} <= fields
    after = counts(server.database_url)
    assert after["audit_log"] == before["audit_log"] + 1
    assert {k: after[k] for k in after if k != "audit_log"} == {k: before[k] for k in before if k != "audit_log"}


def test_the_status_needs_a_signature_and_shows_only_bookings_the_channel_delivered(server):
    created = deliver(server.url, booking()).json()
    assert status_of(server.url, created["id"], secret=new_secret()).status_code == 401
    assert status_of(server.url, 1).status_code == 404  # a demo booking, entered another way
    assert status_of(server.url, 10**9).status_code == 404


def test_the_api_is_described_at_openapi_json(server):
    spec = requests.get(f"{server.url}/api/v1/openapi.json", timeout=10).json()
    assert set(spec["paths"]) == {"/api/v1/bookings", "/api/v1/bookings/{id}"}
    assert set(spec["paths"]["/api/v1/bookings"]["post"]["responses"]) == {"201", "401", "409", "413", "422", "429"}


def test_readyz_says_ready_without_client_data_and_503_when_the_schema_is_behind(server):
    ready = requests.get(f"{server.url}/readyz", timeout=10)
    assert ready.status_code == 200
    report = ready.json()
    assert report["ready"] is True and report["database"] == "ok" and report["schema"] == "at head"
    assert report["dispatcher"] == "running"
    assert "@" not in ready.text and "Robin" not in ready.text
    eng = sa.create_engine(server.database_url)
    try:
        with eng.begin() as conn:
            head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        behind = requests.get(f"{server.url}/readyz", timeout=10)
        assert behind.status_code == 503
        assert behind.json()["ready"] is False and "0001" in behind.json()["schema"]
    finally:
        with eng.begin() as conn:
            conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head}'")
        eng.dispose()
    assert requests.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}


def test_other_api_addresses_answer_404_json_not_the_app_page(server):
    answer = requests.get(f"{server.url}/api/v2/anything", timeout=10)
    assert answer.status_code == 404 and answer.json() == {"error": "not_found"}


def test_a_burst_past_the_rate_limit_is_refused_and_creates_nothing(tmp_path):
    with serving_fresh("sqlite", tmp_path, BOOKING_CHANNEL_RATE_LIMIT="3") as srv:
        before = counts(srv.database_url)
        answers = [deliver(srv.url, booking()) for _ in range(5)]
        assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
        assert int(answers[3].headers["retry-after"]) >= 1
        after = counts(srv.database_url)
    assert after["bookings"] == before["bookings"] + 3
    assert after["channel_deliveries"] == 3
    assert after["audit_log"] == before["audit_log"] + 5


def test_a_booking_for_a_therapist_who_is_away_is_refused_with_the_reason(server):
    """The channel gets 409 and why, so it can offer the client another therapist; nothing is created."""
    eng = sa.create_engine(server.database_url)
    now = datetime.now(UTC).replace(tzinfo=None)
    try:
        with eng.begin() as conn:
            bob = conn.exec_driver_sql("SELECT id FROM users WHERE username = 'bob'").scalar()
            conn.execute(sa.text("INSERT INTO away_periods (therapist_id, starts_at, ends_at, note, created_by, "
                                 "created_at) VALUES (:t, :a, :b, 'leave', 'morgan', :a)"),
                         {"t": bob, "a": now - timedelta(hours=1), "b": now + timedelta(days=14)})
        before = counts(server.database_url)["bookings"]
        answer = deliver(server.url, booking(therapist="bob"))
        assert answer.status_code == 409
        assert "Bob Okafor is away until" in answer.json()["message"]
        assert counts(server.database_url)["bookings"] == before
        assert deliver(server.url, booking(therapist="alice")).status_code == 201  # others still take bookings
    finally:
        with eng.begin() as conn:
            conn.exec_driver_sql("DELETE FROM away_periods")
        eng.dispose()
