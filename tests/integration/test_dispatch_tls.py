"""SMTP_TLS=starttls and ssl: the connection is encrypted and the server's certificate is checked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lib.core.db import unit_of_work
from lib.core.models import Notification
from lib.notify import dispatcher, outbox
from lib.notify.templates import Rendered
from tests.servers import SmtpServer, self_signed_certificate


@pytest.fixture
def certificate(tmp_path):
    return self_signed_certificate(tmp_path)


@pytest.fixture
def tls_server(request, certificate, monkeypatch):
    server = SmtpServer(tls=request.param, certificate=certificate)
    server.start()
    server.env(monkeypatch)
    yield server
    server.stop()


def _queue_one() -> None:
    with unit_of_work(write=True) as s:
        outbox.enqueue(s, cause="tls:1", channel="email", recipient="bob@practice.example",
                       message=Rendered("new_booking", "New session request — please confirm", "Hello"))


@pytest.mark.parametrize("tls_server", ["starttls", "ssl"], indirect=True)
def test_email_goes_out_encrypted(sqlite_url, tls_server, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the test server's certificate is trusted
    _queue_one()

    assert dispatcher.run_once().sent == 1

    [got] = tls_server.received
    assert got.encrypted and got.rcpt_tos == ["bob@practice.example"]


@pytest.mark.parametrize("tls_server", ["starttls", "ssl"], indirect=True)
def test_an_untrusted_certificate_stops_the_email(sqlite_url, tls_server, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other, _ = self_signed_certificate(elsewhere)
    monkeypatch.setenv("SSL_CERT_FILE", str(other))  # trusts some other certificate, not the server's
    _queue_one()

    assert dispatcher.run_once().retrying == 1

    assert tls_server.received == []
    with unit_of_work() as s:
        row = s.scalar(select(Notification))
    assert row.status == "pending" and "CERTIFICATE_VERIFY_FAILED" in row.last_error
