"""Email through yagmail: one SMTP connection per batch, each message built from its outbox row.

yagmail opens, secures and logs in the connection (SMTP_TLS ssl | starttls | none); the dispatcher
then sends every message of a batch over that one connection. The MIME message is built here with
the standard library because yagmail's composer copies the HTML source into the plain-text part,
and its `send()` reconnects on every call and swallows errors into a list — we need the SMTP reply
codes to tell a full mailbox (retry) from an unknown recipient (don't).
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import yagmail

from lib import clock, config
from lib.contacts import normalise_email
from lib.errors import InvalidInput
from lib.notify.delivery import ChannelDown, Outgoing, PermanentFailure, TemporaryFailure

DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    mail_from: str

    @classmethod
    def from_config(cls) -> "SmtpSettings | None":
        """None when SMTP_HOST is not set: emails are then kept, marked "not sent"."""
        host = config.get("SMTP_HOST")
        if not host:
            return None
        tls = (config.get("SMTP_TLS", "starttls") or "starttls").lower()
        if tls not in DEFAULT_PORTS:
            tls = "starttls"
        user = config.get("SMTP_USER")
        mail_from = config.get("MAIL_FROM") or user or "booking-desk@localhost"
        return cls(host, int(config.get("SMTP_PORT") or DEFAULT_PORTS[tls]), tls, user,
                   config.get("SMTP_PASSWORD"), mail_from)

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.mail_from)[1] or self.mail_from


def compose(msg: Outgoing, mail_from: str) -> EmailMessage:
    """The email as the recipient gets it: plain text + HTML alternatives, the invitation attached."""
    email = EmailMessage(policy=policy.SMTP)
    email["From"] = mail_from
    email["To"] = msg.recipient
    email["Subject"] = msg.subject or "A message from Booking Desk"
    email["Date"] = format_datetime(clock.now().replace(tzinfo=timezone.utc))
    # Stable per (cause, channel, recipient): a resend after a crash is the same message, not a new one.
    email["Message-ID"] = msg.message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(msg.body_text)
    if msg.body_html:
        email.add_alternative(msg.body_html, subtype="html")
    if msg.ics:
        method = "CANCEL" if "METHOD:CANCEL" in msg.ics else "REQUEST"
        email.add_attachment(msg.ics, subtype="calendar", filename="invite.ics", params={"method": method})
    return email


class EmailChannel:
    """Use as a context manager: the connection opens at the first message and closes at the end."""

    name = "email"

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._yag: yagmail.SMTP | None = None

    def __enter__(self) -> "EmailChannel":
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
            recipient = normalise_email(msg.recipient)
        except InvalidInput as exc:
            raise PermanentFailure(exc.message) from None
        data = compose(msg, self.settings.mail_from).as_bytes()
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
            smtp.sendmail(self.settings.envelope_from, [recipient], data)
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
