"""replies to alerts by text: the alert number a person proved is theirs

Revision ID: 0012
Revises: 0011

No one's number counts as proved until they text its code (lib.bookings.sms_replies): replies by text start
working for each therapist after that, never silently for a number typed in earlier.
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sms_verified_phone", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sms_verified_phone")
