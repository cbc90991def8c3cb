"""clients' data from first booking to erasure: assessments encrypted at rest, a hash-chained audit trail,
erasure marks

Revision ID: 0011
Revises: 0010

Existing assessments are encrypted here, in the migration's one transaction, so the app only ever reads
ciphertext (one code path, and no window in which a dump still shows answers). That needs the key when
there are assessments to encrypt: the demo practice makes its own; any other practice must set
BOOKING_DESK_ENCRYPTION_KEYS first, or the migration stops and changes nothing. Existing audit entries
are chained in the order they were written (id order): the chain protects them from now on.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ANSWER_COLUMNS = ("phq9", "gad7", "help_with")


def _key_ready(conn) -> None:
    """Before any change: a key to encrypt the stored assessments with (SQLite's DDL is not transactional)."""
    from lib.core import crypto

    count = conn.execute(sa.text("SELECT COUNT(*) FROM assessments")).scalar()
    if count and not crypto.configured_keys():
        demo = conn.execute(sa.text("SELECT value FROM practice_settings WHERE key = 'demo_data'")).scalar()
        demo = json.loads(demo) if isinstance(demo, str) else demo
        if not (demo or {}).get("v"):
            raise RuntimeError(f"{crypto.ENV} must be set before this migration: it encrypts the "
                               f"{count} assessments already stored. Nothing was changed.")
        crypto.make_demo_key()


def _encrypt_existing(conn) -> None:
    from lib.core import crypto

    rows = conn.execute(sa.text("SELECT id, phq9, gad7, help_with, free_text FROM assessments")).all()
    for row in rows:
        values = {}
        for name in ANSWER_COLUMNS:
            raw = getattr(row, name)
            plain = raw if isinstance(raw, str) else json.dumps(raw if raw is not None else [])
            values[name] = crypto.encrypt(json.dumps(json.loads(plain), ensure_ascii=False))
        values["free_text"] = None if row.free_text is None else crypto.encrypt(row.free_text)
        conn.execute(sa.text("UPDATE assessments SET phq9 = :phq9, gad7 = :gad7, help_with = :help_with, "
                             "free_text = :free_text WHERE id = :id"), {**values, "id": row.id})


def _chain_existing(conn) -> None:
    from lib.audit.chain import GENESIS, entry_hash

    prev, seq = GENESIS, 0
    log = sa.table("audit_log", *(sa.column(n, t) for n, t in (
        ("id", sa.Integer()), ("at", sa.DateTime()), ("username", sa.String()), ("action", sa.String()),
        ("booking_id", sa.Integer()), ("client_id", sa.Integer()), ("browser_session", sa.String()),
        ("detail", sa.String()))))
    rows = conn.execute(sa.select(log).order_by(log.c.id)).all()
    for row in rows:
        seq += 1
        digest = entry_hash(seq, row.at, row.username, row.action, row.booking_id, row.client_id, row.browser_session,
                            row.detail, prev)
        conn.execute(sa.text("UPDATE audit_log SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id"),
                     {"seq": seq, "prev": prev, "hash": digest, "id": row.id})
        prev = digest
    conn.execute(sa.text("INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, :seq, :hash)"),
                 {"seq": seq, "hash": prev})


def upgrade() -> None:
    conn = op.get_bind()
    _key_ready(conn)
    with op.batch_alter_table("assessments") as batch:
        for name in ANSWER_COLUMNS:
            batch.alter_column(name, type_=sa.Text(), existing_type=sa.JSON(), existing_nullable=False,
                               postgresql_using=f"{name}::text")
    _encrypt_existing(conn)

    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    _chain_existing(conn)
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_audit_log_seq", ["seq"])

    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_table(
        "erasure_follow_ups",
        sa.Column("notification_id", sa.Integer(), sa.ForeignKey("notifications.id"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("erasure_follow_ups")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("uq_audit_log_seq", type_="unique")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("seq")
    op.drop_table("audit_chain_head")
    # The answers stay encrypted: decrypting them back to plain text is not something to do by accident.
