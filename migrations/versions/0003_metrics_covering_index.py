"""a covering index for the response-time figures (replaces the plain requested_at index)

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ["requested_at", "therapist_id", "session_type", "status", "first_response_at",
           "response_business_seconds", "response_due_at", "expires_at"]


def upgrade() -> None:
    op.create_index("ix_bookings_metrics", "bookings", COLUMNS)
    op.drop_index("ix_bookings_requested", table_name="bookings")


def downgrade() -> None:
    op.create_index("ix_bookings_requested", "bookings", ["requested_at"])
    op.drop_index("ix_bookings_metrics", table_name="bookings")
