"""assignments: work (a review waiting) given to a staff user with a due date, the daily digests sent, and each
staff user's choice to get the digest

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

Adds two tables (`assignment`, `work_digest`) and one column (`staff_user.digest_mail`, true for every existing
user: the digest is on until a user turns it off). No row changes.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'assignment',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('vendor_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('ref_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('assignee', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('assigned_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.Column('live_key', sqlmodel.sql.sqltypes.AutoString(length=140), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('ended_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column('ended_how', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_assignee_ended_due', ['assignee', 'ended_at', 'due_on'], unique=False)
        batch_op.create_index('ix_assignment_vendor_kind', ['vendor_id', 'kind', 'ended_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_live_key'), ['live_key'], unique=True)
    op.create_table(
        'work_digest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('assigned', sa.Integer(), nullable=False),
        sa.Column('overdue', sa.Integer(), nullable=False),
        sa.Column('unassigned', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email', 'sent_on', name='uq_work_digest_once'),
    )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_mail', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    # Not recreated on SQLite (sessions refer to staff_user): a plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+).
    with op.batch_alter_table('staff_user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('digest_mail')
    op.drop_table('work_digest')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_live_key'))
        batch_op.drop_index('ix_assignment_vendor_kind')
        batch_op.drop_index('ix_assignment_assignee_ended_due')
    op.drop_table('assignment')
