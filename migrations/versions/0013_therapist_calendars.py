"""therapists' calendars: the private feed of their sessions, and busy times read from their own calendar

Revision ID: 0013
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "therapist_calendars",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("feed_token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("feed_token_made_at", sa.DateTime(), nullable=True),
        sa.Column("feed_read_at", sa.DateTime(), nullable=True),
        sa.Column("busy_url", sa.Text(), nullable=True),  # encrypted (lib.core.crypto)
        sa.Column("busy_saved_at", sa.DateTime(), nullable=True),
        sa.Column("busy_fetched_at", sa.DateTime(), nullable=True),
        sa.Column("busy_tried_at", sa.DateTime(), nullable=True),
        sa.Column("busy_error", sa.String(300), nullable=True),
        sa.Column("busy_next_at", sa.DateTime(), nullable=True),
        sa.Column("busy_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "calendar_busy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_calendar_busy_user", "calendar_busy", ["user_id", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_calendar_busy_user", table_name="calendar_busy")
    op.drop_table("calendar_busy")
    op.drop_table("therapist_calendars")
