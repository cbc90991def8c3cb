"""bookings by relationship (the session page counts earlier sessions together)

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_bookings_relationship", "bookings", ["relationship_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_bookings_relationship", table_name="bookings")
