"""Erasure on request, the client's own copy (subject access) and retention, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lib.audit import chain as audit_chain
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core import clock
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, Forbidden
from lib.core.models import AuditEntry, Booking, Client, Notification
from lib.lifecycle import erasure, retention, subject_access
from lib.metrics import cache as metrics_cache
from lib.metrics import periods
from lib.metrics import report as metrics
from lib.notify import dispatcher
from tests.conftest import NOW
from tests.factories import assess, book
from tests.integration.test_backup_restore import _dump, _snapshot

WORDS = "I can't sleep before exams and my hands shake"


@pytest.fixture
def hannah(practice):
    """Hannah: an unconfirmed request with Alice (assessment filled in, viewed by Alice) and a confirmed
    session with Bob next week."""
    first = book(practice.alice, "Hannah Whitfield", email="hannah.whitfield@example.com",
                 client_phone="+447911123457")
    assess(first, phq9=[2, 2, 1, 2, 1, 2, 1, 0, 1], gad7=[2, 3, 2, 2, 1, 2, 1], help_with=["Anxiety"], free_text=WORDS)
    session_view.get_for(practice.alice, first, browser_session="alice-tab", record_view=True)
    second = book(practice.bob, "Hannah Whitfield", email="hannah.whitfield@example.com",
                  starts_at=NOW + timedelta(days=7))
    bookings.confirm(practice.bob, second, 1)
    with unit_of_work() as s:
        cid = s.scalar(select(Client.id).where(Client.email == "hannah.whitfield@example.com"))
    return practice, cid, first, second


def _sent_by_the_worker() -> None:
    """The worker's round: messages leave the outbox (no channel here: kept as "not sent"), then the blanking."""
    dispatcher.run_once(factories={})
    retention.worker_step()


def test_erasure_cancels_open_sessions_with_the_usual_email_and_then_no_personal_data_is_left(hannah, db_url):
    practice, cid, first, second = hannah
    plan = erasure.preview(practice.morgan, cid)
    assert plan.name == "Hannah Whitfield" and plan.assessments == 1
    assert [o.id for o in plan.open_sessions] == [first, second]
    assert any("self-assessment" in line for line in plan.what_goes)

    done = erasure.erase(practice.morgan, cid, "client_request", plan.fingerprint)
    assert (done.cancelled, done.assessments) == (2, 1)
    with unit_of_work() as s:
        assert set(s.scalars(select(Booking.status).where(Booking.client_id == cid))) == {"cancelled"}
        emails = s.execute(select(Notification.recipient, Notification.template, Notification.status)
                           .where(Notification.template == "cancelled")).all()
    # The usual cancellation email still goes to the client's address, once for each session.
    assert sorted(emails) == [("hannah.whitfield@example.com", "cancelled", "pending")] * 2

    _sent_by_the_worker()
    dump = _dump(db_url)
    for trace in ("Hannah", "Whitfield", "hannah.whitfield", "+447911123457", "exams"):
        assert trace not in dump, trace
    detail = session_view.get_for(practice.morgan, first)
    assert detail.client_name == f"Erased client {cid}" and detail.attendees == ["Erased"]
    assert detail.assessment.status == "not started" and detail.client_phone is None
    with unit_of_work() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "erase_client")).one()
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "view_session", AuditEntry.client_id == cid)) == 1  # the trail is kept
    assert entry.username == "morgan" and entry.client_id == cid and "client asked" in entry.detail
    assert audit_chain.verify().ok
    assert subject_access.find_clients(practice.morgan, "Whitfield") == []


def test_erasure_refuses_when_the_sessions_changed_since_the_preview(hannah):
    practice, cid, first, second = hannah
    plan = erasure.preview(practice.morgan, cid)
    third = book(practice.alice, "Hannah Whitfield", email="hannah.whitfield@example.com",
                 starts_at=NOW + timedelta(days=9))
    with pytest.raises(Conflict, match="changed since you looked"):
        erasure.erase(practice.morgan, cid, "client_request", plan.fingerprint)
    assert erasure.preview(practice.morgan, cid).name == "Hannah Whitfield"
    assert third in erasure.preview(practice.morgan, cid).fingerprint


def test_an_erasure_that_fails_midway_leaves_everything_as_it_was(hannah, db_url, monkeypatch):
    practice, cid, first, second = hannah
    plan = erasure.preview(practice.morgan, cid)
    before = _snapshot(db_url)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(erasure.trail, "record", broken)
    with pytest.raises(RuntimeError):
        erasure.erase(practice.morgan, cid, "client_request", plan.fingerprint)
    assert _snapshot(db_url) == before


def test_only_managers_may_export_or_erase(hannah):
    practice, cid, first, second = hannah
    for attempt in (lambda: erasure.preview(practice.alice, cid), lambda: subject_access.export(practice.alice, cid),
                    lambda: erasure.erase(practice.alice, cid, "client_request", ()),
                    lambda: subject_access.find_clients(practice.bob, "Hannah")):
        with pytest.raises(Forbidden):
            attempt()


def test_the_clients_own_copy_holds_everything_and_the_export_is_audited(hannah):
    practice, cid, first, second = hannah
    assert [m.name for m in subject_access.find_clients(practice.morgan, "hannah")] == ["Hannah Whitfield"]
    export = subject_access.export(practice.morgan, cid, browser_session="morgan-tab")
    with zipfile.ZipFile(io.BytesIO(export.data)) as zf:
        assert sorted(zf.namelist()) == ["data.json", "summary.html"]
        data = json.loads(zf.read("data.json"))
        summary = zf.read("summary.html").decode()
    assert data["details"]["email"] == "hannah.whitfield@example.com"
    assert [s["id"] for s in data["sessions"]] == [first, second]
    assert [h["what"] for h in data["sessions"][1]["history"]] == ["requested", "confirmed"]
    [answers] = data["self_assessments"]
    assert answers["phq9"]["total"] == 12 and answers["phq9"]["severity"] == "moderate"
    assert answers["gad7"]["total"] == 13 and answers["in_your_own_words"] == WORDS
    assert {m["to"] for m in data["messages"]} == {"hannah.whitfield@example.com"}
    assert any(m["subject"] and "confirmed" in m["subject"].lower() for m in data["messages"])
    viewed = [v for v in data["who_viewed_or_changed_the_record"] if v["viewed"]]
    assert [(v["who"], v["session"]) for v in viewed] == [("Alice Moreno", first)]
    assert "Who viewed or changed your record" in summary and "Alice Moreno" in summary
    assert "I can&#x27;t sleep before exams" in summary and "score 12 (moderate)" in summary
    with unit_of_work() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export_client")).one()
    assert (entry.username, entry.client_id, entry.browser_session) == ("morgan", cid, "morgan-tab")


def _figures(actor):
    metrics_cache.forget()
    period = periods.between(date(2026, 3, 1), date(2026, 11, 24), "Europe/London")
    report = metrics.report(actor, period)
    return report.figures, report.practice, [tuple(r) for r in report.therapists]


def test_retention_erases_only_records_past_the_period_and_past_figures_stay_the_same(practice, db_url):
    from tests.integration.metrics_fixtures import build_alice, build_bob

    build_alice(practice.alice)
    build_bob(practice.bob)
    with unit_of_work() as s:
        clients = s.scalar(select(func.count()).select_from(Client))
    before = _figures(practice.morgan)

    clock.freeze(NOW + timedelta(days=365 * 6))
    assert retention.daily().erased == []  # six years on: within the seven
    clock.freeze(NOW + timedelta(days=365 * 7 + 30))
    done = retention.daily()
    assert len(done.erased) == clients
    assert retention.daily().ran is False  # once a day
    with unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Client).where(Client.erased_at.is_(None))) == 0
        left = s.execute(select(Notification.booking_id, Notification.template, Notification.recipient).where(
            Notification.recipient != "(erased)")).all()
        assert left == []
        assert set(s.scalars(select(AuditEntry.username).where(AuditEntry.action == "erase_client"))) == {"system"}

    clock.freeze(NOW)
    assert _figures(practice.morgan) == before
    assert audit_chain.verify().ok


def test_a_manager_sets_the_retention_period_and_it_is_audited(practice):
    assert retention.set_years(practice.morgan, "10") == 10
    with unit_of_work() as s:
        assert retention.years(s) == 10
    with pytest.raises(Forbidden):
        retention.set_years(practice.alice, 3)
    with pytest.raises(Exception, match="between 1 and 100"):
        retention.set_years(practice.morgan, 0)
