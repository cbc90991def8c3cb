"""Database models: one table per thing the practice talks about, in a file per part
of the product; every model is importable from here.

Times are stored as naive UTC datetimes (SQLite has no time zones); `lib.core.clock`
converts at the edges.
"""
from __future__ import annotations

from sqlalchemy import event

from lib.core.models.audit import AuditChainHead, AuditEntry
from lib.core.models.base import Base
from lib.core.models.bookings import (
    Attendee,
    AwayPeriod,
    Booking,
    BookingEvent,
    MetricDay,
    MetricPracticeDay,
    TeamTask,
    TimeOffer,
)
from lib.core.models.calendars import CalendarBusy, TherapistCalendar
from lib.core.models.clients import Assessment, Client, ClientChangeRequest, ClientToken, ErasureFollowUp, Relationship
from lib.core.models.messages import Notification
from lib.core.models.people import AccountLink, LoginFailure, RecoveryCode, ResetRequest, SignInSession, User
from lib.core.models.practice import ChannelDelivery, ChannelSecret, PracticeSetting
from lib.core.vocabulary import AuditAction, BookingStatus, Channel, Delivery, EventKind, MessageStatus, SessionType

__all__ = ["AccountLink", "Assessment", "Attendee", "AuditChainHead", "AuditEntry", "AwayPeriod", "Base", "Booking", "BookingEvent", "CalendarBusy", "ChannelDelivery", "ChannelSecret", "Client", "ClientChangeRequest", "ClientToken", "ErasureFollowUp", "LoginFailure", "MetricDay", "MetricPracticeDay", "Notification", "PracticeSetting", "RecoveryCode", "Relationship", "ResetRequest", "SignInSession", "TeamTask", "TherapistCalendar", "TimeOffer", "User"]


def _one_of(vocabulary: type):
    def check(_target, value, _old, _initiator):
        return vocabulary(value)  # a word outside the product's vocabulary is a bug: refused before it is stored
    return check


# Stored words are checked against their enum (lib.core.vocabulary) whenever a model sets them.
for _column, _vocabulary in ((Booking.status, BookingStatus), (Booking.session_type, SessionType),
                             (Booking.delivery, Delivery), (BookingEvent.kind, EventKind),
                             (Notification.channel, Channel), (Notification.status, MessageStatus),
                             (AuditEntry.action, AuditAction)):
    event.listen(_column, "set", _one_of(_vocabulary), retval=True)
