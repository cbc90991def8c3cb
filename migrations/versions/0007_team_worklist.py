"""the practice team's worklist: requests declined, expired, lapsed or cancelled late, and failed messages

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("bookings.id"), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("notification_id", sa.Integer(), sa.ForeignKey("notifications.id"), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_team_tasks_open", "team_tasks", ["closed_at", "opened_at"])
    op.create_index("ix_team_tasks_booking", "team_tasks", ["booking_id", "closed_at"])
    # Requests that dropped out of sight before the worklist existed: declined and expired ones whose
    # session has not passed yet are put in front of the team once.
    op.execute(sa.text(
        "INSERT INTO team_tasks (booking_id, reason, opened_at) "
        "SELECT b.id, CASE WHEN b.status = 'declined' THEN 'declined' ELSE 'expired' END, "
        "COALESCE((SELECT MAX(e.at) FROM booking_events e WHERE e.booking_id = b.id), b.requested_at) "
        "FROM bookings b WHERE b.status IN ('declined', 'expired') AND b.starts_at > CURRENT_TIMESTAMP "
        "AND NOT EXISTS (SELECT 1 FROM bookings n WHERE n.reassigned_from_id = b.id)"))


def downgrade() -> None:
    op.drop_index("ix_team_tasks_booking", table_name="team_tasks")
    op.drop_index("ix_team_tasks_open", table_name="team_tasks")
    op.drop_table("team_tasks")
