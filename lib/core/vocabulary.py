"""The product's words: each kind of stored word as a StrEnum, with the label a person reads beside it.

One table per kind, here, so a status or an audit action cannot drift from its label: a member is written
with both (`CONFIRMED = "confirmed", "Confirmed"`). Members are strings, so they compare equal to what the
database holds; the models check each value against its enum when it is set (lib.core.models).
"""
from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A stored word and its label: `Kind.X == "x"`, `Kind.X.label == "X, as a person reads it"`."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m.label for m in cls}


class BookingStatus(Labelled):
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    CONFIRMED = "confirmed", "Confirmed"
    AWAITING_CLIENT = "awaiting_client", "Waiting for the client"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


OPEN_STATUSES = (BookingStatus.UNCONFIRMED,)  # waiting for the therapist's answer
CLOSED_STATUSES = (BookingStatus.DECLINED, BookingStatus.EXPIRED, BookingStatus.CANCELLED)


class SessionType(Labelled):
    INDIVIDUAL = "individual", "Individual"
    COUPLE = "couple", "Couple"
    FAMILY = "family", "Family"
    GROUP = "group", "Group"


class Delivery(Labelled):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"


class Channel(Labelled):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class MessageStatus(Labelled):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NOT_SENT = "not_sent", "Not sent — channel not configured"
    WITHDRAWN = "withdrawn", "Withdrawn — the client's record was erased"


class EventKind(Labelled):
    """What happened to a booking, as its history on the session page lists it."""

    REQUESTED = "requested", "Requested"
    VIEWED = "viewed", "First opened by the therapist"
    CONFIRMED = "confirmed", "Confirmed"
    RESCHEDULED = "rescheduled", "Time changed"
    OFFERED = "offered", "Other times offered"
    DECLINED = "declined", "Declined (not the best fit)"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired (no answer in time)"
    REMINDED = "reminded", "Reminder sent"
    ESCALATED = "escalated", "Escalated to managers"
    REASSIGNED = "reassigned", "Reassigned"
    CLIENT_PICKED = "client_picked", "Client picked a time"
    OFFER_CHANGED = "offer_changed", "Offered times changed"
    OFFER_WITHDRAWN = "offer_withdrawn", "Offered times withdrawn"
    TEAM_CONTACTED = "team_contacted", "Practice team contacted the client"
    TEAM_CLOSED = "team_closed", "Closed by the practice team"
    TIME_ASKED = "time_asked", "Client asked for another time"
    TIME_REQUEST_NO = "time_request_no", "Said no to another time"
    KEPT_TIME = "kept_time", "Client kept the current time"


class AuditAction(Labelled):
    """Every action the audit trail records (lib.audit.trail refuses any other)."""

    # sessions and answers
    VIEW_SESSION = "view_session", "Viewed a session and assessment"
    CONFIRM = "confirm", "Confirmed"
    RESCHEDULE = "reschedule", "Moved (agreed time)"
    OFFER_TIMES = "offer_times", "Offered other times"
    CHANGE_OFFER = "change_offer", "Changed the offered times"
    WITHDRAW_OFFER = "withdraw_offer", "Withdrew the offered times"
    DECLINE = "decline", "Declined (not the best fit)"
    CANCEL = "cancel", "Cancelled"
    REASSIGN = "reassign", "Reassigned"
    TEAM_CONTACTED = "team_contacted", "Contacted the client (practice team)"
    TEAM_CLOSED = "team_closed", "Closed a practice-team item"
    CLIENT_CANCEL = "client_cancel", "Cancelled (by the client, from their link)"
    CLIENT_ASK_TIME = "client_ask_time", "Asked for another time (client)"
    TIME_REQUEST_NO = "time_request_no", "Said no to another time"
    SET_AWAY = "set_away", "Set time away"
    END_AWAY = "end_away", "Ended or removed time away"
    # bookings arriving
    IMPORT_BOOKINGS = "import_bookings", "Imported bookings"
    ADD_BOOKING = "add_booking", "Entered a booking"
    API_BOOKING = "api_booking", "Booking received (booking channel)"
    API_REPLAYED = "api_replayed", "Booking delivered again (booking channel)"
    API_REFUSED = "api_refused", "Refused a booking channel call"
    API_STATUS = "api_status", "Looked up a booking's status (booking channel)"
    CHANNEL_SECRET_ROTATED = "channel_secret_rotated", "Made a new booking channel secret"
    # messages
    VIEW_MESSAGE = "view_message", "Viewed a message"
    RETRY_MESSAGE = "retry_message", "Retried a message"
    # signing in
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOGIN_LOCKED = "login_locked", "Login locked"
    LOGOUT = "logout", "Logged out"
    SESSION_ENDED = "session_ended", "Sign-in session ended"
    TWO_STEP_FAILED = "two_step_failed", "Wrong two-step code"
    TWO_STEP_ON = "two_step_on", "Turned on two-step sign-in"
    TWO_STEP_OFF = "two_step_off", "Turned off two-step sign-in"
    TWO_STEP_RESET = "two_step_reset", "Reset someone's two-step sign-in"
    RECOVERY_CODE_USED = "recovery_code_used", "Signed in with a recovery code"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "Made new recovery codes"
    SIGN_IN_RULES_CHANGED = "sign_in_rules_changed", "Changed the sign-in rules"
    # people and passwords
    PERSON_ADDED = "person_added", "Added a person"
    PERSON_DEACTIVATED = "person_deactivated", "Deactivated a person"
    PERSON_REACTIVATED = "person_reactivated", "Reactivated a person"
    UNLOCKED = "unlocked", "Unlocked a sign-in"
    ROLE_CHANGED = "role_changed", "Changed a role"
    RESET_LINK_SENT = "reset_link_sent", "Sent a password reset link"
    PASSWORD_SET = "password_set", "Chose a first password"
    PASSWORD_RESET = "password_reset", "Reset a password with a link"
    PASSWORD_CHANGED = "password_changed", "Changed own password"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Asked for a password reset link"
    PASSWORD_RESET_LIMITED = "password_reset_limited", "Password reset refused (too many requests)"
    # clients' data
    BACKUP = "backup", "Backed up the database"
    RESTORE = "restore", "Restored the database from a backup"
    EXPORT_CLIENT = "export_client", "Exported a client's data (subject access)"
    ERASE_CLIENT = "erase_client", "Erased a client's record"
    RETENTION_SETTING = "retention_setting", "Changed how long client records are kept"
    # the therapist's calendar, both ways (lib.calendars)
    CALENDAR_FEED_MADE = "calendar_feed_made", "Made a private calendar feed address"
    CALENDAR_FEED_RESET = "calendar_feed_reset", "Reset the calendar feed address"
    CALENDAR_FEED_OFF = "calendar_feed_off", "Turned off the calendar feed"
    CALENDAR_BUSY_SET = "calendar_busy_set", "Connected own calendar (busy times)"
    CALENDAR_BUSY_REMOVED = "calendar_busy_removed", "Disconnected own calendar (busy times)"
    # text replies to alerts (lib.bookings.sms_replies); a confirm by text or email link is CONFIRM
    SMS_STOP = "sms_stop", "Turned off SMS alerts (texted STOP)"
    SMS_WRONG_CODE = "sms_wrong_code", "Text reply with a wrong code"
    SMS_REPLY_REFUSED = "sms_reply_refused", "Text reply not acted on"
    SMS_FORGED = "sms_forged", "Refused a text with a bad Twilio signature"
    SMS_VERIFIED = "sms_verified", "Proved a mobile number for text replies"
    # what clients see
    PRACTICE_BRAND_CHANGED = "practice_brand_changed", "Changed the practice's name or logo"
    # older rows, written under these names by earlier versions
    IMPORT = "import", "Imported bookings"
    MANUAL_BOOKING = "manual_booking", "Entered a booking"
