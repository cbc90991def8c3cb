"""the response-time figures' digests keep each settled request's UTC hour (lib.bookings.metric_days), so a
period or a week that starts within a day takes its part of the day from the digest

Revision ID: 0016
Revises: 0015

Every row is rebuilt here from `bookings` (the digests' shape changed; the requests they hold did not).
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

    metric_days.rebuild(op.get_bind())


def downgrade() -> None:
    """Back to the older shape: each group without its hours (the first seven fields are unchanged)."""
    conn = op.get_bind()
    for table, key in (("metric_days", ("therapist_id", "day")), ("metric_practice_days", ("day", "part"))):
        t = sa.table(table, *(sa.column(k) for k in key), sa.column("digest"))
        rows = conn.execute(sa.select(t)).all()
        for row in rows:
            d = json.loads(row.digest)
            if "s" in d:
                d["s"] = [group[:7] for group in d["s"]]
            conn.execute(sa.update(t).where(*(t.c[k] == getattr(row, k) for k in key))
                         .values(digest=json.dumps(d, separators=(",", ":"))))
