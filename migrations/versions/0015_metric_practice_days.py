"""the response-time figures' days summed up for the whole practice, in a few parts a day
(lib.bookings.metric_days): what the practice-wide figures read

Revision ID: 0015
Revises: 0014

Filled here from the therapists' rows already kept; from then on the transaction that rebuilds a therapist's
day rebuilds that day's practice part too.
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_practice_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("part", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.Text(), nullable=False),
    )
    from lib.bookings import metric_days

    metric_days.rebuild_practice(op.get_bind())


def downgrade() -> None:
    op.drop_table("metric_practice_days")
