"""response-time figures kept up to date as requests happen: one row per therapist and day (lib.metric_days)

Revision ID: 0015
Revises: 0011

The rows are filled here from the bookings already stored, in the migration's transaction; from then on
every transaction that changes a booking or an away period rebuilds the rows of the days it touched.
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_days",
        sa.Column("therapist_id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("facts", sa.Text(), nullable=False),
    )
    op.create_index("ix_metric_days_day", "metric_days", ["day", "therapist_id"])
    from lib import metric_days

    metric_days.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_metric_days_day", table_name="metric_days")
    op.drop_table("metric_days")
