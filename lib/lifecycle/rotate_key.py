"""`python -m lib rotate-key`: every encrypted assessment value re-encrypted with the first key.

Put the new key first in BOOKING_DESK_ENCRYPTION_KEYS (keep the old one after it), run this, then remove the
old key. One transaction: if any value can't be decrypted, nothing changes.
"""
from __future__ import annotations

from sqlalchemy import column, select, table, update

from lib.core import crypto
from lib.core.db import unit_of_work

# The stored tokens as text: rotation never needs the plain answers.
_ENCRYPTED = ("phq9", "gad7", "help_with", "free_text")
_assessments = table("assessments", column("id"), *(column(name) for name in _ENCRYPTED))
_calendars = table("therapist_calendars", column("user_id"), column("busy_url"))  # lib.calendars.busy


def rotate_all(url: str | None = None) -> int:
    """Re-encrypt every assessment with the newest key; returns how many were rewritten."""
    crypto.cipher()  # no key: say so before touching anything
    count = 0
    with unit_of_work(write=True, url=url) as s:
        for row in s.execute(select(_assessments)).all():
            values = {name: crypto.rotate(getattr(row, name)) for name in _ENCRYPTED if getattr(row, name)}
            s.execute(update(_assessments).where(_assessments.c.id == row.id).values(**values))
            count += 1
        for row in s.execute(select(_calendars).where(_calendars.c.busy_url.is_not(None))).all():
            s.execute(update(_calendars).where(_calendars.c.user_id == row.user_id)  # a therapist's calendar address
                      .values(busy_url=crypto.rotate(row.busy_url)))
    return count
