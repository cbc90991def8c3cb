"""the response-time figures' digests keep each settled request's UTC hour, and a request that expired
unanswered keeps its wait (lib.bookings.metric_days, lib.bookings.changes.record_wait_until_expiry)

Revision ID: 0016
Revises: 0015

With the hours, a period or a week that starts within a day takes its part of the day from the digest; the
seconds are packed (lib.bookings.metric_digest.pack), which reads several times faster than lists of numbers. With
the wait kept at the expiry (business seconds from the request to its expiry, stored where an answer keeps
its response time), an expired request is summed up ahead of time instead of worked out with the calendar on
every view. Existing expired requests get their wait here, by the practice's calendar as it stands; then
every row of the figures is rebuilt from `bookings`.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from lib.bookings import metric_days
    from lib.practice.business_hours import business_seconds_between
    from lib.practice.rules import Rules, get_all

    conn = op.get_bind()
    calendar = Rules(get_all(conn)).calendar
    b = sa.table("bookings", sa.column("id", sa.Integer), sa.column("status", sa.String),
                 sa.column("requested_at", sa.DateTime), sa.column("expires_at", sa.DateTime),
                 sa.column("first_response_at", sa.DateTime), sa.column("response_business_seconds", sa.Integer))
    expired = conn.execute(sa.select(b.c.id, b.c.requested_at, b.c.expires_at).where(
        b.c.status == "expired", b.c.first_response_at.is_(None), b.c.response_business_seconds.is_(None),
        b.c.expires_at.is_not(None))).all()
    waits = [{"i": r.id, "w": business_seconds_between(r.requested_at, r.expires_at, calendar)} for r in expired]
    for lo in range(0, len(waits), 2000):
        conn.execute(sa.update(b).where(b.c.id == sa.bindparam("i")).values(response_business_seconds=sa.bindparam("w")),
                     waits[lo:lo + 2000])
    metric_days.rebuild(conn)


def downgrade() -> None:
    """Back to the older shape: expired requests without a kept wait (the older code works it out), and the
    rows' groups under "s" again, without their hours and with their seconds as lists of numbers."""
    from lib.bookings import metric_days, metric_digest

    conn = op.get_bind()
    b = sa.table("bookings", sa.column("status"), sa.column("first_response_at"), sa.column("response_business_seconds"))
    conn.execute(sa.update(b).where(b.c.status == "expired", b.c.first_response_at.is_(None))
                 .values(response_business_seconds=None))
    metric_days.rebuild(conn)
    for table, key in (("metric_days", ("therapist_id", "day")), ("metric_practice_days", ("day", "part"))):
        t = sa.table(table, *(sa.column(k) for k in key), sa.column("digest"))
        for row in conn.execute(sa.select(t)).all():
            d = json.loads(row.digest)
            if "p" in d:
                d = {"s": [[*group[:5], list(metric_digest.unpack(group[5])), list(metric_digest.unpack(group[6]))]
                           for group in d.pop("p")], **d}
                conn.execute(sa.update(t).where(*(t.c[k] == getattr(row, k) for k in key))
                             .values(digest=json.dumps(d, separators=(",", ":"))))
