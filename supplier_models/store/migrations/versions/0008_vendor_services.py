"""vendor state: the services each vendor offers, so a list narrows by service in SQL

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Adds one nullable column. A row written before it has none, and is marked as no longer holding
(`holds_until` before any real day, even for a row written on the day of the upgrade), so the first list read
after the upgrade (or the next run) recomputes it with its services; every other value of a 0007 store survives
unchanged.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('services', sa.JSON(), nullable=True))
    op.execute("UPDATE vendor_state SET holds_until = '1900-01-01'")  # recomputed by the first read


def downgrade() -> None:
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.drop_column('services')
