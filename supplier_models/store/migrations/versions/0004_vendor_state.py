"""vendor state: one row per vendor, kept with each event; an index for the notices' repeats

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Adds a table and an index only: every row of a 0003 store survives unchanged. The new table starts empty;
the first `fairsource requalify` (or `fairsource status --rebuild`) fills it from the history, and until then
readers fall back to the history (tests/store/test_migrations.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vendor_state',
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('assessed_decision', sa.String(length=20), nullable=False),
    sa.Column('assessment_id', sa.String(length=36), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('review_pending', sa.Boolean(), nullable=False),
    sa.Column('open_remediations', sa.Integer(), nullable=False),
    sa.Column('overdue_remediations', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=20), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('contact', sa.String(length=320), nullable=True),
    sa.Column('reattestation_requested_on', sa.Date(), nullable=True),
    sa.Column('state_on', sa.Date(), nullable=False),
    sa.Column('next_action_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('vendor_id')
    )
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_state_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_state_valid_until'), ['valid_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_state_band'), ['band'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_state_next_action_on'), ['next_action_on'], unique=False)
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_kind_sent_on', ['kind', 'sent_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_kind_sent_on')
    op.drop_table('vendor_state')
