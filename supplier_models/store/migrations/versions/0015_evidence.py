"""evidence files and remediation responses: a vendor's files (bytes once per vendor and content), what each is
attached to, and vendors' responses to remediations with the reviewer's decision

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

Three new tables, each referring to its vendor with ON DELETE CASCADE (a vendor's files go with it). No row of
an older store changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evidence_blob',
        sa.Column('vendor_id', sa.String(length=36), sa.ForeignKey('vendor.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('vendor_id', 'sha256'),
    )
    op.create_table(
        'evidence',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('vendor_id', sa.String(length=36), sa.ForeignKey('vendor.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('remediation', sa.String(length=12), nullable=False),
        sa.Column('question', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('added_by', sa.String(length=320), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('vendor_id', 'sha256', 'remediation', 'question', name='uq_evidence_once'),
        sa.ForeignKeyConstraint(['vendor_id', 'sha256'], ['evidence_blob.vendor_id', 'evidence_blob.sha256'],
                                ondelete='CASCADE', name='fk_evidence_blob'),
    )
    op.create_index('ix_evidence_vendor_id', 'evidence', ['vendor_id'])
    op.create_index('ix_evidence_expires_on', 'evidence', ['expires_on'])
    op.create_table(
        'remediation_response',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('vendor_id', sa.String(length=36), sa.ForeignKey('vendor.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('remediation', sa.String(length=12), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('text', sa.String(length=4000), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('evidence_ids', sa.JSON(), nullable=False),
        sa.Column('sent_by', sa.String(length=320), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('decided_by', sa.String(length=320), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_reason', sa.String(length=4000), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_remediation_response_vendor_state', 'remediation_response', ['vendor_id', 'state'])


def downgrade() -> None:
    op.drop_index('ix_remediation_response_vendor_state', table_name='remediation_response')
    op.drop_table('remediation_response')
    op.drop_index('ix_evidence_expires_on', table_name='evidence')
    op.drop_index('ix_evidence_vendor_id', table_name='evidence')
    op.drop_table('evidence')
    op.drop_table('evidence_blob')
