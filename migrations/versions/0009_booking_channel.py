"""the booking channel's API: deliveries by webhook id (idempotency across servers) and its signing secrets

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("webhook_id", sa.String(200), nullable=False, unique=True),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("bookings.id"), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_channel_deliveries_booking_id", "channel_deliveries", ["booking_id"])
    op.create_table(
        "channel_secrets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("channel_secrets")
    op.drop_index("ix_channel_deliveries_booking_id", "channel_deliveries")
    op.drop_table("channel_deliveries")
