"""confirmed sessions by start time for the whole practice: a manager's dashboard ("confirmed · next 7 days")

The per-therapist calendar index leads with the therapist, so a manager's view of every therapist's
coming week read the whole bookings table (75 ms at a million bookings); this index reads one week.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_bookings_status_start", "bookings", ["status", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_bookings_status_start", table_name="bookings")
