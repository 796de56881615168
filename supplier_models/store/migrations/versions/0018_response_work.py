"""response work: the remediation responses waiting, the longest waiting first, read by an index

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30

A vendor's response to a remediation can be assigned to a reviewer (`assignment.kind` response, its `ref_id` the
response's id: no column changes). My work lists the responses waiting with nobody assigned a page at a time, by
when they were sent: one index on `remediation_response` (state, sent_at) reads that range. No row changes.
"""
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('remediation_response', schema=None) as batch_op:
        batch_op.create_index('ix_remediation_response_state_sent', ['state', 'sent_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('remediation_response', schema=None) as batch_op:
        batch_op.drop_index('ix_remediation_response_state_sent')
