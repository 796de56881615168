"""vendor state: the last day each row holds by the calendar alone (its status and overdue count)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Adds one nullable, indexed column. A row written before it is known to hold only on the day it was computed for
(`holds_until` = `state_on`), so the first list read after the upgrade (or the next run) recomputes it; every
other value of a 0006 store survives unchanged.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holds_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_vendor_state_holds_until'), ['holds_until'], unique=False)
    op.execute("UPDATE vendor_state SET holds_until = state_on")


def downgrade() -> None:
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_state_holds_until'))
        batch_op.drop_column('holds_until')
