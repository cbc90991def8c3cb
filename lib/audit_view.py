"""Reading the audit trail (managers only). The trail itself is append-only: nothing here changes it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lib import audit_chain
from lib.auth import Actor, require_manager
from lib.csv_safe import to_csv
from lib.db import unit_of_work
from lib.models import AuditEntry, Client

ACTION_LABELS = {
    "view_session": "Viewed a session and assessment", "confirm": "Confirmed", "reschedule": "Moved (agreed time)",
    "offer_times": "Offered other times", "decline": "Declined (not the best fit)", "cancel": "Cancelled",
    "reassign": "Reassigned", "login": "Logged in", "login_failed": "Failed login", "login_locked": "Login locked",
    "logout": "Logged out", "import": "Imported bookings", "manual_booking": "Entered a booking",
    "retry_message": "Retried a message", "change_offer": "Changed the offered times",
    "withdraw_offer": "Withdrew the offered times", "team_contacted": "Contacted the client (practice team)",
    "team_closed": "Closed a practice-team item",
    "api_booking": "Booking received (booking channel)", "api_replayed": "Booking delivered again (booking channel)",
    "api_refused": "Refused a booking channel call", "api_status": "Looked up a booking's status (booking channel)",
    "channel_secret_rotated": "Made a new booking channel secret",
    # people, passwords, two-step sign-in, sign-in sessions (lib.people, lib.password_changes, lib.two_step)
    "session_ended": "Sign-in session ended", "two_step_failed": "Wrong two-step code",
    "person_added": "Added a person", "person_deactivated": "Deactivated a person",
    "person_reactivated": "Reactivated a person", "unlocked": "Unlocked a sign-in", "role_changed": "Changed a role",
    "reset_link_sent": "Sent a password reset link", "password_set": "Chose a first password",
    "password_reset": "Reset a password with a link", "password_changed": "Changed own password",
    "password_reset_requested": "Asked for a password reset link",
    "password_reset_limited": "Password reset refused (too many requests)",
    "two_step_on": "Turned on two-step sign-in", "two_step_off": "Turned off two-step sign-in",
    "two_step_reset": "Reset someone's two-step sign-in", "recovery_code_used": "Signed in with a recovery code",
    "recovery_codes_renewed": "Made new recovery codes", "sign_in_rules_changed": "Changed the sign-in rules",
    # written by earlier code under these names, which had no label yet
    "add_booking": "Entered a booking", "import_bookings": "Imported bookings", "view_message": "Viewed a message",
    "client_cancel": "Cancelled (by the client, from their link)", "client_ask_time": "Asked for another time (client)",
    "time_request_no": "Said no to another time", "set_away": "Set time away", "end_away": "Ended or removed time away",
    "backup": "Backed up the database", "restore": "Restored the database from a backup",
    "export_client": "Exported a client's data (subject access)", "erase_client": "Erased a client's record",
    "retention_setting": "Changed how long client records are kept",
    "practice_brand_changed": "Changed the practice's name or logo",
}
HEADER = ["When (UTC)", "User", "Action", "Session", "Client", "Browser session", "Detail"]


@dataclass(frozen=True)
class AuditPage:
    rows: list[tuple]
    total: int


def _filtered(username: str | None, client: str | None, since: datetime | None, until: datetime | None):
    stmt = select(AuditEntry.at, AuditEntry.username, AuditEntry.action, AuditEntry.booking_id,
                  Client.name, AuditEntry.browser_session, AuditEntry.detail
                  ).outerjoin(Client, Client.id == AuditEntry.client_id)
    if username:
        stmt = stmt.where(AuditEntry.username == username.strip().lower())
    if client:
        client = client.strip()
        if client.isdigit():
            stmt = stmt.where(AuditEntry.client_id == int(client))
        else:
            stmt = stmt.where(func.lower(Client.email) == client.lower())
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return stmt


def entries(actor: Actor, username: str | None = None, client: str | None = None, since: datetime | None = None,
            until: datetime | None = None, limit: int = 500) -> AuditPage:
    """Newest first. `client` is a client's email address or id."""
    require_manager(actor)
    stmt = _filtered(username, client, since, until)
    with unit_of_work() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    return AuditPage([(r[0], r[1], action_label(r[2]), r[3], r[4], r[5], r[6]) for r in rows], total)


def action_label(action: str) -> str:
    """Words for every action, including one written before it had a label ("new_thing" → "New thing")."""
    return ACTION_LABELS.get(action) or action.replace("_", " ").strip().capitalize()


def chain_status(actor: Actor) -> audit_chain.Verdict:
    """The whole chain checked now: the page says how far it is intact."""
    require_manager(actor)
    return audit_chain.verify()


def entries_csv(actor: Actor, **filters) -> str:
    """Every matching entry (not only the first page), as spreadsheet-safe CSV."""
    page = entries(actor, limit=1_000_000, **filters)
    return to_csv(HEADER, ([r[0].isoformat(sep=" ", timespec="seconds"), *r[1:]] for r in page.rows))
