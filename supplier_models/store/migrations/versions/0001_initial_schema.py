"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# An assessment is a record of what was decided, on which data: it is never
# rewritten. The database itself refuses an UPDATE, whatever the client.
SQLITE_NO_UPDATE = """
CREATE TRIGGER assessment_is_immutable BEFORE UPDATE ON assessment
BEGIN SELECT RAISE(ABORT, 'assessments are never updated; add a new assessment'); END
"""
PG_NO_UPDATE_FN = """
CREATE OR REPLACE FUNCTION fairsource_assessment_is_immutable() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'assessments are never updated; add a new assessment'; END;
$$ LANGUAGE plpgsql
"""
PG_NO_UPDATE = """
CREATE TRIGGER assessment_is_immutable BEFORE UPDATE ON assessment
FOR EACH ROW EXECUTE FUNCTION fairsource_assessment_is_immutable()
"""


def _create_immutability_trigger() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(SQLITE_NO_UPDATE)
    elif dialect == "postgresql":
        op.execute(PG_NO_UPDATE_FN)
        op.execute(PG_NO_UPDATE)


def upgrade() -> None:

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=True),
    sa.Column('subject', sa.String(length=1000), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('vendor',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_name'), ['name'], unique=True)

    op.create_table('submission',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=40), nullable=False),
    sa.Column('questionnaire_version', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('vendor_id', 'sha256', name='uq_submission_vendor_file')
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('geo_band', sa.String(length=20), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('rubric_version', sa.String(length=60), nullable=False),
    sa.Column('country_data_version', sa.String(length=60), nullable=False),
    sa.Column('policy_version', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_decision'), ['decision'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_valid_until'), ['valid_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('sow_document',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('assessment_id', sa.String(length=36), nullable=False),
    sa.Column('vendor_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('template_sha256', sa.String(length=64), nullable=False),
    sa.Column('clauses', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sow_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sow_document_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sow_document_vendor_id'), ['vendor_id'], unique=False)



    _create_immutability_trigger()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS assessment_is_immutable ON assessment")
        op.execute("DROP FUNCTION IF EXISTS fairsource_assessment_is_immutable()")
    else:
        op.execute("DROP TRIGGER IF EXISTS assessment_is_immutable")

    with op.batch_alter_table('sow_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sow_document_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_sow_document_assessment_id'))

    op.drop_table('sow_document')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_valid_until'))
        batch_op.drop_index(batch_op.f('ix_assessment_submission_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_decision'))
        batch_op.drop_index(batch_op.f('ix_assessment_created_at'))

    op.drop_table('assessment')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_vendor_id'))

    op.drop_table('submission')
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_name'))

    op.drop_table('vendor')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')

