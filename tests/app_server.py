"""A real app server for HTTP tests: `streamlit run streamlit_app.py` (st.App under uvicorn) on a fresh
database (SQLite file or a PostgreSQL database of its own), with the demo practice, and a client that
signs requests the way the booking channel must (Standard Webhooks, through the `standardwebhooks` package).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from standardwebhooks import Webhook

from lib.booking_api.signature import new_secret
from lib.core import db
from tests.conftest import ROOT, own_pg_database
from tests.servers import MAIL_FROM, free_port

SECRET = new_secret()  # this test run's channel secret (BOOKING_CHANNEL_SECRET of the servers it starts)


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen
    log: Path


def lib_command(args: list[str], env: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"python -m lib {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def fresh_database(kind: str, folder: Path):
    """A migrated database with the demo practice: 'sqlite' (a file in `folder`) or 'postgres' (its own)."""
    with ExitStack() as stack:
        if kind == "sqlite":
            url = f"sqlite:///{folder / 'booking_desk.db'}"
        else:
            url = stack.enter_context(own_pg_database("bd_api"))
        env = os.environ | {"DATABASE_URL": url}
        lib_command(["migrate"], env)
        lib_command(["seed-demo"], env)
        try:
            yield url
        finally:
            db.dispose_all()


def server_env(database_url: str, port: int, smtp_port: int | None = None, **more: str) -> dict:
    env = os.environ | {"DATABASE_URL": database_url, "APP_BASE_URL": f"http://127.0.0.1:{port}",
                        "BOOKING_CHANNEL_SECRET": SECRET, "BOOKING_DESK_DISPATCHER": "off",
                        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    for name in ("BOOKING_DESK_SECRET", "SMTP_HOST", "TWILIO_ACCOUNT_SID"):
        env.pop(name, None)  # the demo key; no developer's own mail server or Twilio account
    if smtp_port is not None:
        env |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_TLS": "none", "MAIL_FROM": MAIL_FROM,
                "BOOKING_DESK_DISPATCHER": "on", "BOOKING_DESK_DISPATCH_SECONDS": "0.3"}
    return env | more


def start(env: dict, port: int, log: Path, timeout: float = 30.0) -> Server:
    """Start the server as `make run` does (streamlit run streamlit_app.py) and wait until /healthz answers."""
    out = open(log, "a")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    out.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, env["DATABASE_URL"], proc, log)
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(Server(url, env["DATABASE_URL"], proc, log))
            raise RuntimeError(f"the server did not answer /healthz:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def stop(server: Server, wait: float = 30.0) -> int:
    """SIGTERM, as a host stops a service; returns the exit code."""
    server.process.terminate()
    try:
        return server.process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        raise


@contextmanager
def running(env: dict, log: Path):
    port = int(env["APP_BASE_URL"].rsplit(":", 1)[1])
    server = start(env, port, log)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            stop(server)


# --- the booking channel's side ---

def booking(therapist: str = "alice", days_ahead: int = 10, email: str | None = None, **more) -> dict:
    """A valid booking as the channel sends it (JSON fields as the CSV's columns)."""
    starts = (datetime.now(UTC) + timedelta(days=days_ahead)).replace(hour=11, minute=0, second=0,
                                                                               microsecond=0)
    return {"therapist": therapist, "client_name": "Robin Channel",
            "client_email": email or f"robin.{uuid.uuid4().hex[:8]}@example.com", "session_type": "individual",
            "starts_at": starts.isoformat(), "duration_minutes": 50, "delivery": "online", "video_service": "Zoom"} | more


def signed_headers(body: bytes, webhook_id: str | None = None, secret: str = SECRET,
                   at: datetime | None = None) -> dict:
    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(UTC)
    return {"content-type": "application/json", "webhook-id": webhook_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(webhook_id, at, body)}


def deliver(url: str, payload: dict | bytes, webhook_id: str | None = None, **signing) -> requests.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return requests.post(f"{url}/api/v1/bookings", data=body, headers=signed_headers(body, webhook_id, **signing),
                         timeout=30)


def status_of(url: str, booking_id: int, **signing) -> requests.Response:
    return requests.get(f"{url}/api/v1/bookings/{booking_id}", headers=signed_headers(b"", **signing), timeout=30)


@contextmanager
def serving_fresh(kind: str, folder: Path, smtp_port: int | None = None, **env: str):
    """A fresh demo database of `kind` and a server on it (see server_env); both gone afterwards."""
    with fresh_database(kind, folder) as url:
        with running(server_env(url, free_port(), smtp_port, **env), folder / "server.log") as srv:
            yield srv
