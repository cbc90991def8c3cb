"""Emails about a person's own account: set or reset a password, two-step sign-in reset, password changed.

They carry no client data. Links are single use; each email says how long its link works.
"""
from __future__ import annotations

from lib.notify.templates.parts import Rendered, render

_IGNORE = "If you didn't expect this email, you can ignore it; nothing changes until the link is used."


def set_password_email(name: str, practice: str, invited_by: str, username: str, link: str) -> Rendered:
    return render("set_password", f"Your Booking Desk account at {practice}", f"Welcome, {name}",
                 [f"{invited_by} has added you to Booking Desk, where {practice} answers new session requests.",
                  "Choose your password with the link below. It works once, for 24 hours."],
                 rows=[("Your username", username)], link=("Set your password", link), after=[_IGNORE])


def reset_password_email(name: str, username: str, link: str, valid_for: str) -> Rendered:
    return render("reset_password", "Reset your Booking Desk password", "Reset your password",
                 [f"Hello {name}, someone asked to reset the password of your Booking Desk account.",
                  f"Choose a new password with the link below. It works once, for {valid_for}. "
                  "Setting it signs you out everywhere else."],
                 rows=[("Your username", username)], link=("Choose a new password", link),
                 after=["If you didn't ask for this, you can ignore this email: your password stays as it is."])


def password_changed_email(name: str) -> Rendered:
    return render("password_changed", "Your Booking Desk password was changed", "Your password was changed",
                 [f"Hello {name}, the password of your Booking Desk account was just changed, and you were "
                  "signed out everywhere else.",
                  "If this wasn't you, tell a practice manager at once."])


def two_step_reset_email(name: str, manager: str) -> Rendered:
    return render("two_step_reset", "Your two-step sign-in was reset", "Your two-step sign-in was reset",
                 [f"Hello {name}, {manager} has reset the two-step sign-in of your Booking Desk account: your "
                  "authenticator app and recovery codes no longer work for it, and you were signed out.",
                  "Next time you sign in you can set it up again (the practice may ask you to).",
                  "If you didn't ask for this, tell the practice at once."])
