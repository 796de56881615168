"""framework summaries: each assessment's frameworks (points, possible points) stored with it, and the Fairwork
points on the vendor's state row, so the dashboard's distribution is one grouped query

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30

Adds one table, empty, and one nullable indexed column. Every state row is marked as no longer holding (as 0009
and 0012 do), so the first read after the upgrade (or the next run) recomputes it: the assessment it rests on is
evaluated then, its summary written and its Fairwork points put on the row.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'assessment_framework',
        sa.Column('assessment_id', sa.String(length=36), nullable=False),
        sa.Column('framework', sa.String(length=60), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('possible_points', sa.Integer(), nullable=False),
        sa.Column('max_points', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ),
        sa.PrimaryKeyConstraint('assessment_id', 'framework'),
    )
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fairwork_points', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_vendor_state_fairwork_points'), ['fairwork_points'], unique=False)
    op.execute("UPDATE vendor_state SET holds_until = '1900-01-01'")  # recomputed by the first read


def downgrade() -> None:
    with op.batch_alter_table('vendor_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_state_fairwork_points'))
        batch_op.drop_column('fairwork_points')
    op.drop_table('assessment_framework')
