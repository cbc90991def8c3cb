"""the practice's rows of the response-time figures say whose each request is (lib.bookings.metric_digest.merged),
so the managers' By therapist table reads them (PARTS rows a day) instead of every therapist's row

Revision ID: 0017
Revises: 0016

Additive: the rows keep their shape and gain two keys ("tp", "tr") that a server of the previous release does
not read. A practice row such a server writes during a rolling upgrade lacks them; the table reads that day
from `bookings` until `python -m lib migrate` rewrites it (lib.bookings.metric_days.rebuild_stale).
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from lib.bookings import metric_days

    metric_days.rebuild_practice(op.get_bind())


def downgrade() -> None:
    """Nothing to undo: the previous release reads these rows as they are (it drops the two keys from a row it
    rewrites; upgrading again rebuilds every row)."""
