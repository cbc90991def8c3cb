"""people, passwords, two-step sign-in and server-side sign-in sessions

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_USER_COLUMNS = [
    ("password_set_at", sa.DateTime()), ("last_sign_in_at", sa.DateTime()), ("deactivated_at", sa.DateTime()),
    ("totp_secret", sa.String(64)), ("totp_enabled_at", sa.DateTime()), ("totp_last_step", sa.Integer()),
]


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for name, kind in _USER_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.execute(sa.text("UPDATE users SET password_set_at = created_at"))  # everyone so far chose a password
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(24), nullable=True),
        sa.Column("browser", sa.String(200), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("cookie_from", sa.Float(), nullable=True),
        sa.Column("cookie_until", sa.Float(), nullable=True),
    )
    op.create_index("ix_sign_in_sessions_user", "sign_in_sessions", ["user_id", "ended_at"])
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("nonce", sa.String(64), nullable=False, unique=True),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_account_links_user_id", "account_links", ["user_id"])
    op.create_table(
        "reset_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_reset_requests_email", "reset_requests", ["email", "at"])
    op.create_index("ix_reset_requests_address", "reset_requests", ["address", "at"])
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("code_hash", sa.String(100), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])


def downgrade() -> None:
    for table in ("recovery_codes", "reset_requests", "account_links", "sign_in_sessions"):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch:
        for name, _ in reversed(_USER_COLUMNS):
            batch.drop_column(name)
