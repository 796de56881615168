"""questionnaire drafts: a vendor's answers typed in the portal's web form, not yet submitted

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30

One row per vendor and portal link (`questionnaire_draft`): the answers, evidence, Countries rows and attestation
as typed, the form id and questionnaire version the submission will carry, and the link's expiry (the draft goes
with it; deleting the vendor or the link deletes it: ON DELETE CASCADE). No existing row changes.
"""
import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'questionnaire_draft',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('vendor_id', sa.String(length=36), nullable=False),
        sa.Column('invite_id', sa.String(length=36), nullable=False),
        sa.Column('questionnaire_id', sa.String(length=50), nullable=False),
        sa.Column('questionnaire_version', sa.String(length=20), nullable=False),
        sa.Column('form_id', sa.String(length=36), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['invite_id'], ['vendor_invite.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('vendor_id', 'invite_id', name='uq_draft_vendor_invite'),
    )
    with op.batch_alter_table('questionnaire_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_draft_vendor_id'), ['vendor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_draft_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('questionnaire_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_draft_expires_at'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_draft_vendor_id'))
    op.drop_table('questionnaire_draft')
