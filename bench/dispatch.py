"""The dispatcher against a plain smtplib loop: the same 10,000 emails to the same local SMTP server.

The server (aiosmtpd) runs in its own process so it doesn't share the interpreter with either
side. The plain loop gets the messages' parts already in memory and builds the same MIME bytes
with the standard library over one connection; the dispatcher claims them from the outbox, sends
them through yagmail's connection and records each outcome. The two alternate in rounds, so
background load on the machine falls on both alike. Figure: dispatch_vs_smtplib = dispatcher
rate / plain rate (target ≥ 0.8). Also measured on PostgreSQL when it is reachable.
"""
from __future__ import annotations

import hashlib
import os
import smtplib
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

from sqlalchemy import insert

from bench import data
from lib.core import clock, db
from lib.core.db import unit_of_work
from lib.core.models import Notification
from lib.notify import dispatcher, outbox, templates
from lib.notify.email_channel import EmailChannel, SmtpSettings

EMAILS = int(os.environ.get("BENCH_EMAILS", "10000"))
ROUNDS = 20  # small rounds, alternating, so the machine's background load falls on both alike
MAIL_FROM = "Booking Desk <desk@practice.example>"
CRLF = policy.compat32.clone(linesep="\r\n")
SERVER = """
import asyncio, signal, sys
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # sigwait below, not the default exit
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1])); c.start()
print("ready", flush=True)
signal.sigwait({signal.SIGTERM})
c.stop(); print(Count.n, flush=True)
"""


def _start_server() -> tuple[subprocess.Popen, int]:
    from tests.servers import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc, port


def _stop_server(proc: subprocess.Popen) -> int:
    proc.terminate()
    out, _ = proc.communicate(timeout=60)
    return int(out.strip().splitlines()[-1])


def _samples() -> list[templates.Rendered]:
    """A therapist's new-booking email and a client's confirmation with its invitation."""
    facts = templates.SessionFacts(
        booking_id=1, version=2, session_type="couple", attendees=["Hannah Whitfield", "Sam Whitfield"],
        starts_at=datetime(2026, 11, 27, 16), duration_minutes=50, delivery="online", video_service="Zoom",
        join_details="https://zoom.example/j/123", address=None, therapist_name="Bob Okafor",
        therapist_email="bob@practice.example", therapist_phone="+441614960789", client_name="Hannah Whitfield",
        client_email="hannah@client.example", client_tz="Europe/London")
    link = "https://desk.example/session?id=1"
    return [templates.new_booking_email(facts, "Europe/London", datetime(2026, 11, 24, 14), link),
            templates.confirmed_email(facts)]


def _queue(url: str, round_no: int, count: int) -> list[dict]:
    """Write `count` pending emails; return their parts for the plain loop."""
    samples, now, rows = _samples(), clock.now(), []
    for i in range(count):
        m, key = samples[i % 2], f"bench:{round_no}:{i}|email|c{round_no}-{i}@client.example"
        rows.append(dict(dedupe_key=key, channel="email", template=m.template, recipient=key.split("|")[2],
                         subject=m.subject, body_text=m.text, body_html=m.html, ics=m.ics,
                         message_id=outbox.message_id_for(key), status="pending", attempts=0, created_at=now,
                         next_attempt_at=now))
    with unit_of_work(write=True, url=url) as s:
        s.execute(insert(Notification), rows)
    return rows


def _plain_message(r: dict) -> bytes:
    """What a careful plain loop builds: text + HTML, the invitation attached, CRLF line ends."""
    stem = hashlib.sha256(r["message_id"].encode()).hexdigest()[:24]
    msg = MIMEMultipart("alternative", boundary=f"==alt-{stem}==")
    msg.attach(MIMEText(r["body_text"], "plain", "utf-8"))
    msg.attach(MIMEText(r["body_html"], "html", "utf-8"))
    if r["ics"]:
        cal = MIMEText(r["ics"], "calendar", "utf-8")
        cal.set_param("method", "REQUEST")
        cal.add_header("Content-Disposition", "attachment", filename="invite.ics")
        msg = MIMEMultipart("mixed", boundary=f"==mix-{stem}==", _subparts=[msg, cal])
    msg["From"] = MAIL_FROM
    msg["To"] = r["recipient"]
    msg["Subject"] = r["subject"] if r["subject"].isascii() else Header(r["subject"], "utf-8")
    msg["Date"] = format_datetime(r["created_at"].replace(tzinfo=UTC))
    msg["Message-ID"] = r["message_id"]
    return msg.as_bytes(policy=CRLF)


def _plain_loop(port: int, rows: list[dict]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for r in rows:
            smtp.sendmail("desk@practice.example", [r["recipient"]], _plain_message(r))
    return time.perf_counter() - started


def _dispatch(url: str, port: int, expected: int) -> float:
    settings = SmtpSettings("127.0.0.1", port, "none", None, None, MAIL_FROM)
    started = time.perf_counter()
    counts = dispatcher.run_once(url=url, factories={"email": lambda: EmailChannel(settings)})
    elapsed = time.perf_counter() - started
    assert counts.sent == expected, counts
    return elapsed


def _compare(report, label: str, url: str) -> None:
    proc, port = _start_server()
    per_round = EMAILS // ROUNDS
    plain = dispatched = 0.0
    try:
        for r in range(ROUNDS):
            rows = _queue(url, r, per_round)
            if r % 2:  # alternate who goes first
                plain += _plain_loop(port, rows)
                dispatched += _dispatch(url, port, per_round)
            else:
                dispatched += _dispatch(url, port, per_round)
                plain += _plain_loop(port, rows)
    finally:
        received = _stop_server(proc)
    total = per_round * ROUNDS
    assert received == 2 * total, f"server received {received}, expected {2 * total}"
    d_rate, p_rate = total / dispatched, total / plain
    print(f"  {label}: dispatcher {d_rate:,.0f} emails/s, plain smtplib loop {p_rate:,.0f} emails/s "
          f"({total:,} each, one connection each)", flush=True)
    suffix = "" if label == "sqlite" else f"_{label}"
    report(f"dispatch_emails_per_second{suffix}", d_rate)
    report(f"smtplib_emails_per_second{suffix}", p_rate)
    report(f"dispatch_vs_smtplib{suffix}", d_rate / p_rate)


def run(report) -> None:
    _compare(report, "sqlite", data.fresh_sqlite("dispatch"))
    import sqlalchemy as sa

    name = f"bd_bench_dispatch_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(data.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        print(f"  postgres: not reachable, skipped ({exc.__class__.__name__})")
        return
    url = data.PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        from lib.core import migrate

        migrate.upgrade(url)
        _compare(report, "postgres", url)
    finally:
        db.dispose_all()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
