"""Answering an alert without signing in (SQLite and PostgreSQL): the email's one-tap link and the text's reply code.

Both go through lib.bookings.dashboard.confirm: the same clash rules, history, audit and client email. Opening the link
changes nothing; a wrong code, an unknown number, a repeat or a clash changes nothing either."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lib.bookings import alert_answers, sms_replies
from lib.bookings import dashboard as bookings
from lib.bookings.tokens import BadToken
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput
from lib.core.models import AuditEntry, Booking, BookingEvent, Notification, User
from lib.practice.signing import key_for_links
from tests.factories import book

ALICE_MOBILE = "+447911123456"  # alice's alert number (tests.factories)


def _alert(bid: int, channel: str) -> Notification:
    with unit_of_work() as s:
        return s.scalar(select(Notification).where(Notification.booking_id == bid, Notification.channel == channel,
                                                   Notification.template.like("new_booking%")))


def _token(bid: int) -> str:
    return re.search(r"http://desk\.test/confirm\?token=(\S+)", _alert(bid, "email").body_text).group(1)


def _code(bid: int) -> str:
    return re.search(r"Reply C (\d{4}) to confirm\.$", _alert(bid, "sms").body_text).group(1)


def _state() -> tuple:
    """Everything an answer could change: bookings, history, outbox, audit trail."""
    with unit_of_work() as s:
        return (s.execute(select(Booking.id, Booking.status, Booking.version).order_by(Booking.id)).all(),
                *(s.scalar(select(func.count()).select_from(m)) for m in (BookingEvent, Notification, AuditEntry)))


def _audit(action: str) -> list[AuditEntry]:
    with unit_of_work() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_the_alert_email_carries_the_private_link_and_only_what_the_page_shows(practice):
    bid = book(practice.alice, "Oliver Bramble", session_type="couple", attendees=["Oliver Bramble", "Ana Reyes"])
    mail = _alert(bid, "email")
    for shown in ("Thu 26 Nov 2026, 11:00 GMT", "Couple", "Oliver, Ana", "Online",
                  "Check your availability and confirm"):
        assert shown in mail.body_text
    assert "Bramble" not in mail.body_text and "Reyes" not in mail.body_text
    assert f"http://desk.test/session?id={bid}" in mail.body_text  # "open in Booking Desk" for the rest
    assert "/confirm?token=" in mail.body_html
    grant = alert_answers.check_link(_token(bid))
    with unit_of_work() as s:
        b = s.get(Booking, bid)
        assert (grant.booking_id, grant.therapist_id, grant.valid_until) == (bid, practice.alice.id,
                                                                              alert_answers.cut_off(b))
        assert grant.valid_until == b.expires_at  # the request's cut-off (before the session starts)


def test_opening_the_link_changes_nothing_and_confirm_confirms_once(practice):
    bid = book(practice.alice, "Oliver Bramble")
    token = _token(bid)
    before = _state()
    for _ in range(3):
        view = alert_answers.view(token)
    assert _state() == before  # three openings: no event, message, audit entry or version step
    assert (view.status, view.can_confirm, view.first_names, view.location_kind, view.type_label) == (
        "unconfirmed", True, ["Oliver"], "Online", "Individual")
    assert view.clashes == []

    alert_answers.confirm_from_link(token, view.version)

    with unit_of_work() as s:
        assert s.get(Booking, bid).status == "confirmed"
        event = s.scalar(select(BookingEvent).where(BookingEvent.booking_id == bid, BookingEvent.kind == "confirmed"))
        assert (event.actor, event.detail) == ("alice", {"via": "the email link"})
        mails = s.scalars(select(Notification).where(Notification.booking_id == bid,
                                                     Notification.template == "confirmed")).all()
        assert [m.recipient for m in mails] == ["oliver@client.example"]
    [entry] = _audit("confirm")
    assert (entry.username, entry.booking_id, entry.detail) == ("alice", bid, "from the email link")

    after = _state()
    with pytest.raises(Conflict, match="already answered: it is confirmed"):
        alert_answers.confirm_from_link(token, view.version)
    with pytest.raises(Conflict):
        alert_answers.confirm_from_link(token, view.version + 1)  # the current version: still once only
    assert _state() == after
    again = alert_answers.view(token)
    assert (again.status, again.can_confirm) == ("confirmed", False)


def test_a_changed_made_up_or_expired_link_does_nothing(practice):
    bid = book(practice.alice)
    other = book(practice.bob, "Grace O'Neill")
    token = _token(bid)
    b_id, t_id, until, sig = token.split(".")
    key = key_for_links()
    forged = [f"{b_id}.{t_id}.{int(until) + 86400}.{sig}",  # a longer life
              f"{other}.{t_id}.{until}.{sig}",  # another session
              alert_answers.link_token(other, practice.alice.id, clock.now() + timedelta(days=1), key)[:-1] + "0",
              "", "nonsense", f"{token}x"]
    # Genuinely signed, but naming a session of bob's as alice's: no such alert was ever sent.
    crossed = alert_answers.link_token(other, practice.alice.id, clock.now() + timedelta(days=1), key)
    before = _state()
    for bad in [*forged, crossed]:
        with pytest.raises(BadToken):
            alert_answers.view(bad)
        with pytest.raises(BadToken):
            alert_answers.confirm_from_link(bad, 1)
    assert _state() == before

    view = alert_answers.view(token)
    clock.freeze(view.valid_until)  # the cut-off
    assert alert_answers.view(token).expired
    with pytest.raises(BadToken, match="cut-off"):
        alert_answers.confirm_from_link(token, view.version)
    assert _state() == before


def test_a_clash_blocks_the_link_as_it_blocks_the_session_page(practice):
    first = book(practice.alice, "Hannah Whitfield")
    second = book(practice.alice, "Oliver Bramble", email="oliver@client.example")  # the same time
    bookings.confirm(practice.alice, first, 1)
    view = alert_answers.view(_token(second))
    assert [c.booking_id for c in view.clashes] == [first]
    before = _state()
    with pytest.raises(InvalidInput, match="clashes with another confirmed session"):
        alert_answers.confirm_from_link(_token(second), view.version)
    assert _state() == before


def test_a_signed_in_therapist_or_manager_is_sent_to_the_session_page(practice):
    bid = book(practice.alice)
    token = _token(bid)
    assert alert_answers.visible_to(practice.alice, token) == bid
    assert alert_answers.visible_to(practice.morgan, token) == bid
    assert alert_answers.visible_to(practice.bob, token) is None  # another therapist: the link's own page
    assert alert_answers.visible_to(None, token) is None
    assert alert_answers.visible_to(practice.alice, "forged.1.2.3") is None


# --- replies by text ---

def test_the_alert_text_ends_with_its_code_and_the_right_code_confirms(practice):
    bid = book(practice.alice, "Oliver Bramble")
    sms = _alert(bid, "sms").body_text
    code = _code(bid)
    assert code == alert_answers.reply_code(bid, practice.alice.id, key_for_links())
    assert "Oliver" not in sms and "Bramble" not in sms

    reply = sms_replies.handle("07911 123456", f" c{code} ")  # as people type it, from alice's own phone

    assert reply == sms_replies.Reply("Confirmed: Thu 26 Nov 11:00, Oliver B.", "confirmed")
    with unit_of_work() as s:
        assert s.get(Booking, bid).status == "confirmed"
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.booking_id == bid, Notification.template == "confirmed")) == 1
    [entry] = _audit("confirm")
    assert (entry.username, entry.detail) == ("alice", "from a text reply (+44…456)")

    before = _state()
    again = sms_replies.handle(ALICE_MOBILE, f"C {code}")
    assert again == sms_replies.Reply("Already confirmed: Thu 26 Nov 11:00, Oliver B. Nothing was changed.",
                                      "already_answered")
    assert _state()[:3] == before[:3]  # only the audit trail grew
    assert _audit("sms_reply_refused")[-1].detail == "from +44…456: already confirmed"


def test_wrong_codes_unknown_numbers_and_clashes_change_nothing(practice):
    first = book(practice.alice, "Hannah Whitfield")
    second = book(practice.alice, "Oliver Bramble", email="oliver@client.example")  # the same time
    bob_request = book(practice.bob, "Grace O'Neill")
    wrong = next(c for c in (f"{n:04d}" for n in range(10_000)) if c not in (_code(first), _code(second)))
    bobs_code = alert_answers.reply_code(bob_request, practice.bob.id, key_for_links())

    before = _state()
    assert sms_replies.handle(ALICE_MOBILE, f"C {wrong}").outcome == "wrong_code"
    assert sms_replies.handle("+447911000999", f"C {_code(first)}").text == sms_replies.UNKNOWN
    assert sms_replies.handle(None, f"C {_code(first)}").outcome == "unknown_number"
    assert sms_replies.handle(ALICE_MOBILE, "yes please").outcome == "not_understood"
    if bobs_code not in (_code(first), _code(second)):
        assert sms_replies.handle(ALICE_MOBILE, f"C {bobs_code}").outcome == "wrong_code"  # bob's, not alice's
    after = _state()
    assert after[:3] == before[:3]  # no booking, history or message changed
    assert after[3] == before[3] + (5 if bobs_code not in (_code(first), _code(second)) else 4)  # each one audited

    bookings.confirm(practice.alice, first, 1)
    before = _state()
    clash = sms_replies.handle(ALICE_MOBILE, f"C {_code(second)}")
    assert clash == sms_replies.Reply(sms_replies.CLASH, "clash")
    assert _state()[:3] == before[:3]


def test_guesses_are_limited_and_stop_turns_alerts_off(practice):
    bid = book(practice.alice, "Oliver Bramble")
    code = _code(bid)
    wrong = [c for c in (f"{n:04d}" for n in range(10_000)) if c != code][:sms_replies.WRONG_CODES_ALLOWED]
    for guess in wrong:
        assert sms_replies.handle(ALICE_MOBILE, f"C {guess}").outcome == "wrong_code"
    paused = sms_replies.handle(ALICE_MOBILE, f"C {code}")  # even the right code, for a while
    assert paused == sms_replies.Reply(sms_replies.TOO_MANY, "rate_limited")
    with unit_of_work() as s:
        assert s.get(Booking, bid).status == "unconfirmed"

    clock.freeze(clock.now() + sms_replies.WRONG_CODE_WINDOW + timedelta(seconds=1))
    assert sms_replies.handle(ALICE_MOBILE, "STOP") == sms_replies.Reply(None, "stopped")
    with unit_of_work() as s:
        assert s.get(User, practice.alice.id).sms_opt_in is False
        assert s.get(Booking, bid).status == "unconfirmed"
    assert [(e.username, e.detail) for e in _audit("sms_stop")] == [("alice", "from +44…456")]
    # Alerts off: that number no longer answers requests.
    assert sms_replies.handle(ALICE_MOBILE, f"C {code}").outcome == "unknown_number"
    later = book(practice.alice, "Ruth Kim")
    assert _alert(later, "sms") is None  # and no more alerts go to it


def test_replies_work_only_from_a_number_proved_by_its_owner(practice):
    bobs_mobile = "+447911000456"
    with unit_of_work(write=True) as s:  # bob turns on SMS alerts: his number is not proved yet
        bob = s.get(User, practice.bob.id)
        bob.sms_opt_in, bob.sms_phone = True, bobs_mobile
    first = book(practice.bob, "Grace O'Neill")
    assert "Reply C" not in _alert(first, "sms").body_text  # no promise that can't be kept
    setup = sms_replies.setup_for(practice.bob)
    assert (setup.phone, setup.verified) == (bobs_mobile, False) and re.fullmatch(r"\d{6}", setup.code)
    assert sms_replies.setup_for(practice.morgan) is None  # no alerts, nothing to set up
    code = alert_answers.reply_code(first, practice.bob.id, key_for_links())
    assert sms_replies.handle(bobs_mobile, f"C {code}").outcome == "unknown_number"  # even the right code

    wrong = f"{(int(setup.code) + 1) % 1_000_000:06d}"
    assert sms_replies.handle(bobs_mobile, f"VERIFY {wrong}").outcome == "wrong_code"
    assert sms_replies.handle("+447911000999", f"VERIFY {setup.code}").outcome == "unknown_number"  # bob's code,
    assert sms_replies.handle(ALICE_MOBILE, f"VERIFY {setup.code}").outcome == "wrong_code"  # not bob's phone
    assert sms_replies.setup_for(practice.bob).verified is False

    assert sms_replies.handle(bobs_mobile, f"verify {setup.code}") == sms_replies.Reply(sms_replies.VERIFIED,
                                                                                         "verified")
    assert sms_replies.setup_for(practice.bob) == sms_replies.ReplySetup(bobs_mobile, True, None, None)
    assert [e.username for e in _audit("sms_verified")] == ["bob"]
    assert sms_replies.handle(bobs_mobile, f"C {code}").outcome == "confirmed"  # the earlier alert's code works now
    later = book(practice.bob, "Ruth Kim", starts_at=clock.now().replace(hour=14) + timedelta(days=3))
    assert re.search(r"Reply C \d{4} to confirm\.$", _alert(later, "sms").body_text)

    with unit_of_work(write=True) as s:  # a new number must be proved again
        s.get(User, practice.bob.id).sms_phone = "+447911000789"
    assert sms_replies.setup_for(practice.bob).verified is False
    assert sms_replies.handle("+447911000789", f"C {_code(later)}").outcome == "unknown_number"


def test_the_link_the_text_and_the_session_page_at_once_confirm_once(practice):
    """Three ways to answer, pressed at the same moment: one confirmation, one client email."""
    from tests.integration.test_concurrency import _race

    bid = book(practice.alice, "Oliver Bramble")
    token, code = _token(bid), _code(bid)
    replies = []
    ways = [lambda: alert_answers.confirm_from_link(token, 1),
            lambda: replies.append(sms_replies.handle(ALICE_MOBILE, f"C {code}")),
            lambda: bookings.confirm(practice.alice, bid, 1)]
    results = _race(3, lambda i: ways[i]())  # "ok", or "conflict" for the losers; the text always has a reply
    assert None not in results and len(replies) == 1, results
    winners = [results[0], replies[0].outcome, results[2]]
    assert winners.count("ok") + winners.count("confirmed") == 1, winners
    with unit_of_work() as s:
        assert s.get(Booking, bid).status == "confirmed"
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.booking_id == bid, Notification.template == "confirmed")) == 1
        assert s.scalar(select(func.count()).select_from(BookingEvent).where(
            BookingEvent.booking_id == bid, BookingEvent.kind == "confirmed")) == 1
