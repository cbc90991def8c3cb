"""The outbox as practice managers see it (/outbox): every message, whether it went out, and a retry.

Managers only. A message is shown from its stored row — exactly the subject, text, HTML and
invitation the recipient gets — so what the page shows can't drift from what was sent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast, overload

from icalendar import Calendar
from sqlalchemy import CursorResult, func, select, update

from lib.audit import trail
from lib.core import clock
from lib.core.access import Actor, require_manager
from lib.core.db import unit_of_work
from lib.core.errors import Conflict, InvalidInput, NotFound
from lib.core.models import Booking, Notification
from lib.core.vocabulary import AuditAction, Channel, MessageStatus
from lib.notify.delivery import NOT_CONFIGURED
from lib.notify.email_channel import SmtpSettings
from lib.notify.sms_channel import TwilioSettings
from lib.notify.templates import TEMPLATE_TITLES as TEMPLATE_LABELS  # noqa: F401 — the page labels rows with it

STATUS_LABELS = MessageStatus.labels()
CHANNEL_LABELS = Channel.labels()
RETRYABLE = (MessageStatus.FAILED, MessageStatus.NOT_SENT)
MISSING = "We couldn't find that message."


@dataclass(frozen=True)
class MessageRow:
    id: int
    channel: str
    template: str
    recipient: str
    subject: str | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    booking_id: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def problem(self) -> str | None:
        """What went wrong, when it adds something to the status. "Channel not configured" is what the
        dispatcher records for a "not sent" message: the status already says it, so it is not repeated
        (nor left behind, stale, on a message queued again)."""
        return None if self.last_error == NOT_CONFIGURED else self.last_error

    @property
    def can_retry(self) -> bool:
        return self.status in RETRYABLE


@dataclass(frozen=True)
class Outbox:
    rows: list[MessageRow]
    matching: int  # rows matching the filters (rows holds at most one page of them)
    by_status: dict[str, int]  # every message, whatever the filters


@dataclass(frozen=True)
class Invitation:
    """The attached calendar entry, read back from the .ics text."""

    method: str
    uid: str
    summary: str
    starts: datetime  # aware, in the recipient's timezone
    ends: datetime | None
    location: str
    status: str


@dataclass(frozen=True)
class MessageView:
    row: MessageRow
    body_text: str
    body_html: str | None
    ics: str | None
    message_id: str
    provider_id: str | None
    sender: str | None  # the From address or number, as configured now
    invitation: Invitation | None


@dataclass(frozen=True)
class ChannelSetting:
    channel: str
    configured: bool
    description: str  # never a password or token


def _row(n: Notification) -> MessageRow:
    return MessageRow(n.id, n.channel, n.template, n.recipient, n.subject, n.status, n.attempts, n.last_error,
                      n.created_at, n.next_attempt_at, n.sent_at, n.booking_id)


def _check_filters(status: str | None, channel: str | None) -> None:
    if status is not None and status not in STATUS_LABELS:
        raise InvalidInput(f"There is no message status called '{status}'.", "status")
    if channel is not None and channel not in CHANNEL_LABELS:
        raise InvalidInput(f"There is no channel called '{channel}'.", "channel")


def list_messages(actor: Actor | None, status: str | None = None, channel: str | None = None,
                  booking_id: int | None = None, limit: int = 100, offset: int = 0) -> Outbox:
    """Newest first, filtered by status, channel and session."""
    require_manager(actor)
    _check_filters(status, channel)
    where = []
    if status:
        where.append(Notification.status == status)
    if channel:
        where.append(Notification.channel == channel)
    if booking_id is not None:
        where.append(Notification.booking_id == booking_id)
    with unit_of_work() as s:
        rows = s.scalars(select(Notification).where(*where)
                         .order_by(Notification.created_at.desc(), Notification.id.desc())
                         .limit(limit).offset(max(offset, 0))).all()
        matching = s.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
        by_status = dict(s.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
        return Outbox([_row(n) for n in rows], matching, {k: by_status.get(k, 0) for k in STATUS_LABELS})


def _load(s, message_id) -> Notification:
    try:
        row = s.get(Notification, int(message_id))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound(MISSING)
    return row


def get_message(actor: Actor | None, message_id, browser_session: str | None = None,
                record_view: bool = False) -> MessageView:
    """One message as its recipient gets it. Opening it is audited: it names a client."""
    actor = require_manager(actor)
    with unit_of_work(write=record_view) as s:
        n = _load(s, message_id)
        if record_view:
            client_id = s.scalar(select(Booking.client_id).where(Booking.id == n.booking_id)) if n.booking_id else None
            trail.record(s, actor.username, AuditAction.VIEW_MESSAGE, booking_id=n.booking_id, client_id=client_id,
                         browser_session=browser_session, detail=f"message {n.id} ({n.channel}, {n.template})")
        return MessageView(_row(n), hide_private_links(n.body_text), hide_private_links(n.body_html), n.ics,
                           n.message_id, n.provider_id, _sender(n.channel), read_invitation(n.ics))


def retry(actor: Actor | None, message_id, browser_session: str | None = None) -> None:
    """Queue a failed (or never sent) message again: same message, same Message-ID, fresh attempts."""
    actor = require_manager(actor)
    with unit_of_work(write=True) as s:
        n = _load(s, message_id)
        done = cast(CursorResult[Any], s.execute(
            update(Notification).where(Notification.id == n.id, Notification.status.in_(RETRYABLE))
            .values(status=MessageStatus.PENDING, attempts=0, next_attempt_at=clock.now(), sent_at=None)
            .execution_options(synchronize_session=False))).rowcount
        if not done:
            s.refresh(n)
            raise Conflict(f"This message is {STATUS_LABELS.get(n.status, n.status).lower()}; only a failed "
                           "message can be sent again. Please reload.")
        trail.record(s, actor.username, AuditAction.RETRY_MESSAGE, booking_id=n.booking_id, browser_session=browser_session,
                     detail=f"message {n.id} ({n.channel}, {n.template})")


def channel_settings(actor: Actor | None) -> list[ChannelSetting]:
    """Which channels can deliver, described without secrets."""
    require_manager(actor)
    smtp, twilio = SmtpSettings.from_config(), TwilioSettings.from_config()
    return [
        ChannelSetting("email", smtp is not None,
                       f"via {smtp.host}:{smtp.port} ({smtp.tls}), from {smtp.mail_from}" if smtp
                       else "SMTP_HOST is not set: emails are kept here, not sent"),
        ChannelSetting("sms", twilio is not None,
                       f"via Twilio from {twilio.from_number or '(TWILIO_FROM_NUMBER not set)'}"
                       + (f" at {twilio.api_base}" if twilio and twilio.api_base else "") if twilio
                       else "TWILIO_ACCOUNT_SID is not set: SMS are kept here, not sent"),
    ]


_PRIVATE_LINK = re.compile(r"(token=)[^\s&'\"<>]+")


@overload
def hide_private_links(body: str) -> str: ...
@overload
def hide_private_links(body: str | None) -> str | None: ...
def hide_private_links(body: str | None) -> str | None:
    """A client's private link is a key to their assessment or answer page: staff see that it was
    sent, not the key itself."""
    return _PRIVATE_LINK.sub(r"\1(private — hidden)", body) if body else body


def _sender(channel: str) -> str | None:
    if channel == "email":
        smtp = SmtpSettings.from_config()
        return smtp.mail_from if smtp else None
    twilio = TwilioSettings.from_config()
    return twilio.from_number if twilio else None


def read_invitation(ics: str | None) -> Invitation | None:
    if not ics:
        return None
    try:
        cal = Calendar.from_ical(ics)
        event = next(iter(cal.walk("VEVENT")))
    except (ValueError, StopIteration):
        return None
    end = event.get("dtend")
    return Invitation(
        method=str(cal.get("method", "")), uid=str(event.get("uid", "")), summary=str(event.get("summary", "")),
        starts=event.decoded("dtstart"), ends=end.dt if end is not None else None,
        location=str(event.get("location", "")), status=str(event.get("status", "")),
    )
