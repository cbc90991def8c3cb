"""Twilio's inbound SMS webhook over real HTTP: a running server (`streamlit run streamlit_app.py`), a booking
pushed through the bookings API, and form posts signed exactly as Twilio signs them (HMAC-SHA1 of the URL and
the sorted fields, with the account's auth token; written out here, not borrowed from the app)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
import sqlalchemy as sa

from tests.app_server import booking, deliver, serving_fresh

pytestmark = pytest.mark.slow
AUTH_TOKEN = "twilio-test-auth-token-" + uuid.uuid4().hex
ALICE_MOBILE = "+447911123456"  # the demo alice's alert number


def twilio_signature(url: str, form: dict, token: str = AUTH_TOKEN) -> str:
    """https://www.twilio.com/docs/usage/security#validating-requests"""
    data = url + "".join(f"{k}{form[k]}" for k in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def twilio_form(body: str, sender: str = ALICE_MOBILE) -> dict:
    sid = "SM" + uuid.uuid4().hex
    return {"ToCountry": "GB", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "", "FromZip": "",
            "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
            "FromCountry": "GB", "To": "+447700900000", "ToZip": "", "NumSegments": "1", "MessageSid": sid,
            "AccountSid": "AC" + "0" * 32, "From": sender, "ApiVersion": "2010-04-01"}


def post(server, form: dict, signature: str | None = None) -> tuple[int, list[str]]:
    url = f"{server.url}/sms/inbound"
    answer = requests.post(url, data=form, timeout=30,
                           headers={"X-Twilio-Signature": signature or twilio_signature(url, form)})
    assert answer.headers["content-type"].startswith("application/xml"), answer.text
    root = ET.fromstring(answer.text)
    assert root.tag == "Response"
    return answer.status_code, [m.text for m in root.iter("Message")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving_fresh("sqlite", tmp_path_factory.mktemp("sms"), TWILIO_AUTH_TOKEN=AUTH_TOKEN) as srv:
        yield srv


def _sql(server, query: str, **params):
    eng = sa.create_engine(server.database_url)
    try:
        with eng.connect() as conn:
            return conn.execute(sa.text(query), params).all()
    finally:
        eng.dispose()


def _state(server, booking_id: int) -> tuple:
    """What an answer could change: the session, its history and its messages."""
    return (_sql(server, "SELECT status, version FROM bookings WHERE id = :b", b=booking_id),
            _sql(server, "SELECT COUNT(*) FROM booking_events WHERE booking_id = :b", b=booking_id),
            _sql(server, "SELECT COUNT(*) FROM notifications WHERE booking_id = :b", b=booking_id))


def _audit_count(server) -> int:
    return _sql(server, "SELECT COUNT(*) FROM audit_log")[0][0]


def test_a_text_reply_confirms_and_everything_else_gets_its_reply_and_changes_nothing(server):
    sent = booking(client_name="Oliver Bramble", days_ahead=9)
    created = deliver(server.url, sent)
    assert created.status_code == 201, created.text
    bid = created.json()["id"]
    [(alert,)] = _sql(server, "SELECT body_text FROM notifications WHERE booking_id = :b AND channel = 'sms'", b=bid)
    code = re.search(r" Reply C (\d{4}) to confirm\.$", alert).group(1)
    sent_codes = {m for (text,) in _sql(server, "SELECT body_text FROM notifications WHERE channel = 'sms'")
                  for m in re.findall(r"Reply C (\d{4})", text)}
    wrong = next(c for c in (f"{n:04d}" for n in range(10_000)) if c not in sent_codes)  # no request has it
    before, audited = _state(server, bid), _audit_count(server)

    # Refused, each with its own short answer, and nothing changes (each is audited).
    form = twilio_form(f"C {code}")
    assert post(server, form, signature=twilio_signature(f"{server.url}/sms/inbound", form, "not-the-token")) == (
        403, [])
    tampered = twilio_form(f"C {code}")
    signature = twilio_signature(f"{server.url}/sms/inbound", tampered)
    tampered["Body"] = f"C {wrong}"
    assert post(server, tampered, signature)[0] == 403
    assert post(server, twilio_form(f"C {code}", sender="+447911000999")) == (
        200, ["Booking Desk can't take replies from this number. Please answer in the app."])
    assert post(server, twilio_form(f"C {wrong}")) == (
        200, ["That code doesn't match a request waiting for you. Nothing was changed."])
    assert _state(server, bid) == before
    assert _audit_count(server) == audited + 4

    # The right code from alice's own phone confirms, through the same service: the client's email is queued.
    status, [said] = post(server, twilio_form(f"C {code}"))
    assert status == 200
    assert re.fullmatch(r"Confirmed: \w{3} \d{1,2} \w{3} 11:00, Oliver B\.", said), said
    assert _sql(server, "SELECT status FROM bookings WHERE id = :b", b=bid) == [("confirmed",)]
    assert _sql(server, "SELECT recipient FROM notifications WHERE booking_id = :b AND template = 'confirmed'",
                b=bid) == [(sent["client_email"],)]
    assert _sql(server, "SELECT username, detail FROM audit_log WHERE action = 'confirm' AND booking_id = :b",
                b=bid) == [("alice", "from a text reply (+44…456)")]

    # A repeat: told it is confirmed already; nothing more happens.
    after = _state(server, bid)
    status, [again] = post(server, twilio_form(f"c{code}"))
    assert (status, again) == (200, f"Already confirmed: {said.removeprefix('Confirmed: ')} Nothing was changed.")
    assert _state(server, bid) == after


def test_stop_turns_sms_alerts_off(server):
    assert _sql(server, "SELECT sms_opt_in FROM users WHERE username = 'alice'") == [(True,)]
    assert post(server, twilio_form("Stop")) == (200, [])  # the carrier sends the opt-out confirmation itself
    assert _sql(server, "SELECT sms_opt_in FROM users WHERE username = 'alice'") == [(False,)]
    assert _sql(server, "SELECT username FROM audit_log WHERE action = 'sms_stop'") == [("alice",)]
