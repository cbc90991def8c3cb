"""open requests expire by the working week: recompute their cut-off with lib.practice.rules.Rules.expires_at

A request's cut-off was counted in calendar hours, so a Saturday request could expire before the practice
opened on Monday. Open requests (status unconfirmed) get the cut-off the rule gives them now; nothing else
changes: their due time stays, and offers waiting for the client keep the offer's own 24 hours.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import context, op

from lib.practice.rules import Rules, get_all

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

bookings = sa.table("bookings", sa.column("id", sa.Integer()), sa.column("status", sa.String()),
                    sa.column("requested_at", sa.DateTime()), sa.column("starts_at", sa.DateTime()),
                    sa.column("expires_at", sa.DateTime()))


def upgrade() -> None:
    if context.is_offline_mode():  # the new cut-offs are computed from the rows, which an SQL script can't read
        return
    conn = op.get_bind()
    rules = Rules(get_all(conn))
    open_requests = conn.execute(sa.select(bookings.c.id, bookings.c.requested_at, bookings.c.starts_at)
                                 .where(bookings.c.status == "unconfirmed")).all()
    if open_requests:
        conn.execute(bookings.update().where(bookings.c.id == sa.bindparam("request_id"))
                     .values(expires_at=sa.bindparam("cut_off")),
                     [{"request_id": bid, "cut_off": rules.expires_at(requested_at, starts_at)}
                      for bid, requested_at, starts_at in open_requests])


def downgrade() -> None:
    pass  # the recomputed cut-offs are valid cut-offs for the older code too; the calendar ones are not kept
