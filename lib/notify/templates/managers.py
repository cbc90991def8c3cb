"""Messages to the practice managers: what needs the team (overdue, declined, expired, nobody fits, away)."""
from __future__ import annotations

from datetime import datetime

from lib.core import clock
from lib.notify.templates.parts import (
    Rendered,
    SessionFacts,
    render,
)


def managers_message(template: str, subject: str, title: str, paragraph: str, f: SessionFacts, link: str,
             extra_rows=()) -> Rendered:
    rows = [("Session", f"{f.type_label}, {clock.fmt_local(f.starts_at, 'Europe/London')}"),
            ("Therapist", f.therapist_name), *extra_rows]
    return render(template, subject, title, [paragraph], rows, ("Open the session", link))


def escalation_email(f: SessionFacts, due_at: datetime, link: str) -> Rendered:
    return managers_message("escalation", "Overdue: a session request has no answer", "A session request is overdue",
                    f"{f.therapist_name} has not answered a session request that was due by "
                    f"{clock.fmt_local(due_at, 'Europe/London')}. Please chase or reassign it.", f, link)


def declined_manager_email(f: SessionFacts, reason: str, help_needed: str, link: str) -> Rendered:
    return managers_message("declined_manager", "A therapist declined a session: please find another therapist",
                    "Please find this client another therapist",
                    f"{f.therapist_name} answered \"not the best fit\". The presenting issues noted are on the "
                    "session page (kept out of email for the client's privacy).", f, link,
                    [("Reason", reason), ("Kind of help the client needs", help_needed or "—")])


def none_fits_manager_email(f: SessionFacts, link: str) -> Rendered:
    return managers_message("none_fits", "A client couldn't use any offered time", "None of the offered times suit the client",
                    "The client said none of the offered times work; the session is cancelled. Please contact the "
                    "client to arrange another time or therapist.", f, link)


def expired_manager_email(f: SessionFacts, link: str, offer: bool = False) -> Rendered:
    what = "The client didn't pick any of the offered times within 24 hours" if offer else \
        "Nobody answered this session request before its cut-off"
    return managers_message("expired_offer" if offer else "expired_manager", "A session request expired",
                    "A session request expired", f"{what}, so it has expired. The client has been told kindly; "
                    "please follow up with the client.", f, link)


def therapist_away_manager_email(f: SessionFacts, away_until: datetime, link: str) -> Rendered:
    return managers_message("therapist_away", "A request arrived while the therapist is away",
                    "A request for a therapist who is away",
                    f"{f.therapist_name} is away until {clock.fmt_local(away_until, 'Europe/London')}. The request is "
                    "on the practice team's list: please contact the client or reassign it. The client was told the "
                    "team will be in touch.", f, link)
