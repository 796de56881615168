"""qualification lifecycle: reviews, tracked remediations, re-attestation requests, notices

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Adds tables and nullable (or defaulted) columns only: every row of a 0001 store
survives unchanged (tests/store/test_migrations.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE and CREATE INDEX (no table rebuild): the assessment table keeps its
    # no-update trigger.
    op.add_column('assessment', sa.Column('supersedes', sa.String(length=36), nullable=True))
    op.create_index('ix_assessment_supersedes', 'assessment', ['supersedes'], unique=True)

    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=320), nullable=True))

    with op.batch_alter_table('sow_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='final'))
        batch_op.add_column(sa.Column('reference', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('decision', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('review_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('override_knockout', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    op.create_table('review',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('assessment_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=4000), nullable=False),
    sa.Column('to_decision', sa.String(length=20), nullable=True),
    sa.Column('override_knockout', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('remediation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=2000), nullable=False),
    sa.Column('question', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('opened_assessment_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=200), nullable=True),
    sa.Column('closed_how', sa.String(length=20), nullable=True),
    sa.Column('evidence', sa.String(length=4000), nullable=True),
    sa.Column('closed_assessment_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['opened_assessment_id'], ['assessment.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('vendor_id', 'code', name='uq_remediation_vendor_code')
    )
    with op.batch_alter_table('remediation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remediation_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_remediation_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_remediation_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('reattestation_request',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('assessment_id', sa.String(length=36), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('form_path', sa.String(length=1000), nullable=False),
    sa.Column('form_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reattestation_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reattestation_request_submission_id'), ['submission_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_reattestation_request_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('emailed', sa.Boolean(), nullable=False),
    sa.Column('text', sa.String(length=4000), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('vendor_id', 'kind', 'subject_id', name='uq_notice_once')
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_vendor_id'), ['vendor_id'], unique=False)


def downgrade() -> None:
    for table in ('notice', 'reattestation_request', 'remediation', 'review'):
        op.drop_table(table)
    with op.batch_alter_table('sow_document', schema=None) as batch_op:
        for column in ('override_knockout', 'review_id', 'decision', 'reference', 'status'):
            batch_op.drop_column(column)
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
    op.drop_index('ix_assessment_supersedes', table_name='assessment')
    op.drop_column('assessment', 'supersedes')
