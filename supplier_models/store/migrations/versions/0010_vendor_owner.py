"""vendor owner: the analyst who looks after a vendor, for the vendors list's owner filter and sort

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Adds one nullable, indexed column: every vendor of an older store starts with no owner.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=320), nullable=True))
        batch_op.create_index(batch_op.f('ix_vendor_owner'), ['owner'], unique=False)


def downgrade() -> None:
    # Not recreated on SQLite (every table refers to vendor): a plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+).
    with op.batch_alter_table('vendor', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_owner'))
        batch_op.drop_column('owner')
