"""Email through yagmail: one SMTP connection per batch, each message built from its outbox row.

yagmail opens, secures and logs in the connection (SMTP_TLS ssl | starttls | none); the dispatcher
then sends every message of a batch over that one connection. The MIME message is built here with
the standard library because yagmail's composer copies the HTML source into the plain-text part,
and its `send()` reconnects on every call and swallows errors into a list — we need the SMTP reply
codes to tell a full mailbox (retry) from an unknown recipient (don't).
"""
from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC
from email import policy
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

import yagmail

from lib.core import config
from lib.core.contacts import normalise_email
from lib.core.errors import InvalidInput
from lib.notify.delivery import ChannelDown, Outgoing, PermanentFailure, TemporaryFailure

DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
TIMEOUT_SECONDS = 20
_CRLF = policy.compat32.clone(linesep="\r\n")  # SMTP wants CRLF; bare newlines are refused by strict servers


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    mail_from: str

    @classmethod
    def from_config(cls) -> SmtpSettings | None:
        """None when SMTP_HOST is not set: emails are then kept, marked "not sent"."""
        c = config.settings()
        if not c.SMTP_HOST:
            return None
        mail_from = c.MAIL_FROM or c.SMTP_USER or "booking-desk@localhost"
        return cls(c.SMTP_HOST, c.SMTP_PORT or DEFAULT_PORTS[c.SMTP_TLS], c.SMTP_TLS, c.SMTP_USER, c.SMTP_PASSWORD,
                   mail_from)

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.mail_from)[1] or self.mail_from


def deliverable_address(address: str) -> str:
    """The address to hand to the mail server, or InvalidInput with email-validator's reason."""
    return normalise_email(address)


def from_header(mail_from: str) -> str:
    """'Booking Desk <desk@…>' as a header value (a non-ASCII display name is encoded)."""
    return formataddr(parseaddr(mail_from), "utf-8")


def compose(msg: Outgoing, sender: str) -> bytes:
    """The email as the recipient gets it: plain text + HTML alternatives, the invitation attached.

    Date, Message-ID and MIME boundaries all come from the row, so a resend after a crash between
    sending and recording is byte for byte the same message. (The compat32 MIME classes: the same
    result as EmailMessage at less than half the cost per message.)
    """
    stem = hashlib.sha256(msg.message_id.encode()).hexdigest()[:24]
    email = MIMEMultipart("alternative", boundary=f"==alt-{stem}==")
    email.attach(MIMEText(msg.body_text, "plain", "utf-8"))
    if msg.body_html:
        email.attach(MIMEText(msg.body_html, "html", "utf-8"))
    if msg.ics:
        invite = MIMEText(msg.ics, "calendar", "utf-8")
        invite.set_param("method", "CANCEL" if "METHOD:CANCEL" in msg.ics else "REQUEST")
        invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
        email = MIMEMultipart("mixed", boundary=f"==mix-{stem}==", _subparts=[email, invite])
    email["From"] = sender
    email["To"] = msg.recipient
    subject = msg.subject or "A message from Booking Desk"
    # compat32 messages take a Header for a non-ASCII subject (typeshed allows only str)
    email["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")  # type: ignore[assignment]
    email["Date"] = format_datetime(msg.created_at.replace(tzinfo=UTC))
    email["Message-ID"] = msg.message_id  # stable per (cause, channel, recipient)
    email["Auto-Submitted"] = "auto-generated"
    return email.as_bytes(policy=_CRLF)


class EmailChannel:
    """Use as a context manager: the connection opens at the first message and closes at the end."""

    name = "email"

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._sender = from_header(settings.mail_from)
        self._envelope_from = settings.envelope_from
        self._yag: yagmail.SMTP | None = None

    def __enter__(self) -> EmailChannel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._yag is not None:
            self._yag.close()
            self._yag = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        kwargs: dict = {"timeout": TIMEOUT_SECONDS}
        if s.tls == "ssl":
            kwargs["context"] = ssl.create_default_context()  # smtplib alone would not verify the certificate
        yag = yagmail.SMTP(
            # A one-entry dict stops yagmail turning a bare login name into "name@gmail.com".
            user={s.user: s.user} if s.user else None, password=s.password or "", host=s.host, port=s.port,
            smtp_ssl=s.tls == "ssl",
            smtp_starttls={"context": ssl.create_default_context()} if s.tls == "starttls" else False,
            smtp_skip_login=not s.user, soft_email_validation=False, **kwargs,
        )
        try:
            yag.login()
        except smtplib.SMTPAuthenticationError as exc:
            raise ChannelDown(f"The mail server refused the login ({exc.smtp_code}); "
                              "check SMTP_USER and SMTP_PASSWORD.") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelDown(f"Can't reach the mail server {s.host}:{s.port}: {_describe(exc)}") from None
        self._yag = yag
        return yag.smtp

    def send(self, msg: Outgoing) -> str | None:
        """Send one email; returns None (SMTP gives no id worth keeping) or raises a DeliveryFailure."""
        try:
            recipient = deliverable_address(msg.recipient)
        except InvalidInput as exc:
            raise PermanentFailure(exc.message) from None
        data = compose(msg, self._sender)
        try:
            self._send(recipient, data)
        except smtplib.SMTPServerDisconnected:
            # An idle connection the server closed: one fresh connection, then give up for this batch.
            self.close()
            try:
                self._send(recipient, data)
            except smtplib.SMTPServerDisconnected as exc:
                self.close()
                raise ChannelDown(f"The mail server closed the connection: {_describe(exc)}") from None
        return None

    def _send(self, recipient: str, data: bytes) -> None:
        smtp = self._yag.smtp if self._yag is not None else self._connect()
        try:
            smtp.sendmail(self._envelope_from, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise _by_code(code, reply, f"The mail server refused {recipient}") from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error, "The mail server refused the message") from None
        except smtplib.SMTPServerDisconnected:
            raise
        except (smtplib.SMTPException, OSError) as exc:  # timeouts, resets
            self.close()
            raise ChannelDown(f"Mail server connection failed: {_describe(exc)}") from None


def _by_code(code: int, reply, what: str) -> TemporaryFailure | PermanentFailure:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    reason = f"{what}: {code} {text}".strip()
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


def _describe(exc: BaseException) -> str:
    return str(exc) or exc.__class__.__name__
