"""vendor state: the day of the assessment a row rests on, so the reviews waiting come oldest first from the rows

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

Adds one nullable column and an index on (review_pending, assessed_on): the dashboard's reviews-waiting panel reads
the first ten waiting in that index's order instead of joining every waiting vendor's assessment and sorting them
(17,000 at 100,000 vendors: bench/vendors_scale.py). Every state row is marked as no longer holding (as 0008 and
0009 do), so the first read after the upgrade (or the next run) recomputes it with its day.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessed_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_vendor_state_review_waiting', ['review_pending', 'assessed_on'], unique=False)
    op.execute("UPDATE vendor_state SET holds_until = '1900-01-01'")  # recomputed by the first read


def downgrade() -> None:
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.drop_index('ix_vendor_state_review_waiting')
        batch_op.drop_column('assessed_on')
