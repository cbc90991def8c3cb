"""Real local servers for the notification tests: an SMTP server (aiosmtpd) and a Twilio-compatible HTTP API.

Import the fixtures into a test module (`from tests.servers import smtp_server, twilio_server`).
Each fixture starts its server on 127.0.0.1 at a free port and points the app's settings at it.
"""
from __future__ import annotations

import asyncio
import base64
import email
import ipaddress
import json
import socket
import ssl
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

MAIL_FROM = "Booking Desk <desk@practice.example>"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "test-auth-token"
TWILIO_FROM = "+447700900999"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- SMTP ---

@dataclass
class Received:
    peer: tuple
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    encrypted: bool = False

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.refused:
            return "550 5.1.1 Mailbox unavailable: no such user here"
        if address.lower() in self.server.busy:
            return "452 4.2.2 Mailbox full, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.delay:
            await asyncio.sleep(self.server.delay)  # a slow server, so two dispatchers really overlap
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        encrypted = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        with self.server.lock:
            self.server.received.append(Received(session.peer, envelope.mail_from, list(envelope.rcpt_tos), message,
                                                 encrypted))
        return "250 Message accepted for delivery"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (cert.pem, key.pem); trust it with SSL_CERT_FILE=cert.pem."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class SmtpServer:
    """An aiosmtpd server that records what it receives; can refuse recipients, be stopped and restarted.

    `tls`: None (plain), "starttls" (required before MAIL) or "ssl" (TLS from the first byte), with
    `certificate` = (cert.pem, key.pem).
    """

    def __init__(self, port: int | None = None, tls: str | None = None,
                 certificate: tuple[Path, Path] | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.tls = tls
        self.certificate = certificate
        self.received: list[Received] = []
        self.refused: set[str] = set()
        self.busy: set[str] = set()
        self.logins: list[tuple[str, str]] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    def start(self) -> None:
        kwargs = {}
        if self.tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.certificate)
            kwargs = {"ssl_context": context} if self.tls == "ssl" else {"tls_context": context,
                                                                            "require_starttls": True}
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port,
                                      authenticator=self._authenticate, auth_require_tls=False, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str) -> None:
        """Answer RCPT TO for this address with 550 (a permanent refusal)."""
        self.refused.add(address.lower())

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address.lower() in (a.lower() for a in r.rcpt_tos)]

    def env(self, monkeypatch) -> None:
        monkeypatch.setenv("SMTP_HOST", self.host)
        monkeypatch.setenv("SMTP_PORT", str(self.port))
        monkeypatch.setenv("SMTP_TLS", self.tls or "none")
        monkeypatch.setenv("MAIL_FROM", MAIL_FROM)
        monkeypatch.delenv("SMTP_USER", raising=False)
        monkeypatch.delenv("SMTP_PASSWORD", raising=False)


@pytest.fixture
def smtp_server(monkeypatch):
    server = SmtpServer()
    server.start()
    server.env(monkeypatch)
    yield server
    server.stop()


# --- Twilio ---

@dataclass
class SmsRequest:
    path: str
    account_sid: str
    form: dict[str, str]
    auth: tuple[str, str] | None
    answered: int


class TwilioServer:
    """Answers POST /2010-04-01/Accounts/<sid>/Messages.json like Twilio; scriptable with `answer_next`."""

    def __init__(self):
        self.requests: list[SmsRequest] = []
        self.script: list[int] = []
        self.lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._http.daemon_threads = True
        self.port = self._http.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def answer_next(self, *statuses: int) -> None:
        """The next requests get these HTTP statuses (e.g. 500, 429, 400); then 201 again."""
        with self.lock:
            self.script.extend(statuses)

    @property
    def delivered(self) -> list[SmsRequest]:
        return [r for r in self.requests if r.answered == 201]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def env(self, monkeypatch) -> None:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", TWILIO_SID)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
        monkeypatch.setenv("TWILIO_FROM_NUMBER", TWILIO_FROM)
        monkeypatch.setenv("TWILIO_API_BASE", self.url)

    def _respond(self, path: str, form: dict, auth) -> tuple[int, dict]:
        with self.lock:
            status = self.script.pop(0) if self.script else 201
            parts = path.strip("/").split("/")
            ok_path = len(parts) == 4 and parts[:2] == ["2010-04-01", "Accounts"] and parts[3] == "Messages.json"
            if not ok_path:
                status = 404
            self.requests.append(SmsRequest(path, parts[2] if ok_path else "", form, auth, status))
        if status == 201:
            return status, {"sid": "SM" + uuid.uuid4().hex, "status": "queued", "to": form.get("To"),
                            "from": form.get("From"), "body": form.get("Body"), "account_sid": parts[2],
                            "num_segments": "1", "direction": "outbound-api"}
        errors = {400: (21211, f"The 'To' number {form.get('To')} is not a valid phone number."),
                  429: (20429, "Too Many Requests"), 404: (20404, "The requested resource was not found")}
        code, text = errors.get(status, (20500, "Internal Server Error"))
        return status, {"code": code, "message": text, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status}

    def _handler_class(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = None
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                    auth = (user, password)
                status, payload = owner._respond(self.path.split("?")[0], form, auth)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test output quiet
                pass

        return Handler


@pytest.fixture
def twilio_server(monkeypatch):
    server = TwilioServer()
    server.start()
    server.env(monkeypatch)
    yield server
    server.stop()


@pytest.fixture
def no_channels(monkeypatch):
    """Neither email nor SMS configured (whatever the developer's shell says)."""
    for name in ("SMTP_HOST", "TWILIO_ACCOUNT_SID"):
        monkeypatch.setenv(name, "")
