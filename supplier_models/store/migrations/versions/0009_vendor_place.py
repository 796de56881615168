"""vendor places: each country where a vendor's workers are, kept with its state row, for the dashboard's panel

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Adds one table, empty. Every state row is marked as no longer holding (`holds_until` before any real day, even
for a row written on the day of the upgrade), so the first list or dashboard read after the upgrade (or the next
run) recomputes it and writes its places; every other value of a 0008 store survives unchanged.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'vendor_place',
        sa.Column('vendor_id', sa.String(length=36), nullable=False),
        sa.Column('iso2', sa.String(length=2), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('band', sa.String(length=20), nullable=False),
        sa.Column('workers', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
        sa.PrimaryKeyConstraint('vendor_id', 'iso2'),
    )
    with op.batch_alter_table('vendor_place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_place_iso2'), ['iso2'], unique=False)
    op.execute("UPDATE vendor_state SET holds_until = '1900-01-01'")  # recomputed by the first read


def downgrade() -> None:
    with op.batch_alter_table('vendor_place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_place_iso2'))
    op.drop_table('vendor_place')
