"""clients' requests for another time, and therapists' away periods

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_change_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("bookings.id"), nullable=False),
        sa.Column("preferred", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by", sa.String(64), nullable=True),
        sa.Column("answer", sa.String(16), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
    )
    op.create_index("ix_client_change_requests_open", "client_change_requests", ["booking_id", "answered_at"])
    op.create_table(
        "away_periods",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("therapist_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_away_periods_therapist", "away_periods", ["therapist_id", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_away_periods_therapist", table_name="away_periods")
    op.drop_table("away_periods")
    op.drop_index("ix_client_change_requests_open", table_name="client_change_requests")
    op.drop_table("client_change_requests")
