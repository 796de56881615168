"""indexes for the dashboard at 100,000 vendors: the open remediations by due date, the reviews waiting, places

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

Three indexes, no data changed (bench/vendors_scale.py): `remediation (state, due_date)`, so the dashboard's overdue
panel reads the open remediations past their due date in due-date order instead of every open one sorted;
`vendor_state (review_pending)`, so its reviews-waiting panel and count read the rows waiting instead of all; and
`vendor_place (iso2, band, workers, name)`, so the country panel's grouped
count reads an index in its groups' order instead of every place row.
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('remediation', schema=None) as batch_op:
        batch_op.create_index('ix_remediation_state_due_date', ['state', 'due_date'], unique=False)
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_state_review_pending'), ['review_pending'], unique=False)
    with op.batch_alter_table('vendor_place', schema=None) as batch_op:
        batch_op.create_index('ix_vendor_place_panel', ['iso2', 'band', 'workers', 'name'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vendor_place', schema=None) as batch_op:
        batch_op.drop_index('ix_vendor_place_panel')
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_state_review_pending'))
    with op.batch_alter_table('remediation', schema=None) as batch_op:
        batch_op.drop_index('ix_remediation_state_due_date')
