"""response-time figures kept up to date as requests happen: one row per therapist and day (lib.bookings.metric_days);
audit entries written unchained and sealed into the chain afterwards (lib.audit.chain)

Revision ID: 0014
Revises: 0011

The rows are filled here from the bookings already stored, in the migration's transaction; from then on
every transaction that changes a booking or an away period rebuilds the rows of the days it touched.
An audit entry's place and hashes are empty until the worker (or `audit verify`) seals it into the chain.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_days",
        sa.Column("therapist_id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
    )
    op.create_index("ix_metric_days_day", "metric_days", ["day", "therapist_id"])
    from lib.bookings import metric_days

    metric_days.rebuild_days(op.get_bind())
    with op.batch_alter_table("audit_log") as batch:
        for name, kind in (("seq", sa.Integer()), ("prev_hash", sa.String(64)), ("hash", sa.String(64))):
            batch.alter_column(name, existing_type=kind, nullable=True)


def downgrade() -> None:
    from lib.audit import chain as audit_chain

    audit_chain.seal_in(op.get_bind())  # every entry chained, before the columns may be empty no more
    with op.batch_alter_table("audit_log") as batch:
        for name, kind in (("seq", sa.Integer()), ("prev_hash", sa.String(64)), ("hash", sa.String(64))):
            batch.alter_column(name, existing_type=kind, nullable=False)
    op.drop_index("ix_metric_days_day", table_name="metric_days")
    op.drop_table("metric_days")
