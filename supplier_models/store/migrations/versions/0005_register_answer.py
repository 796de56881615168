"""remediation register: the answer that stands for the evidence a remediation was closed with

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Adds one nullable column only: every row of a 0004 store survives unchanged
(tests/store/test_migrations.py). A remediation closed with evidence before it
existed has none: a new submission may reopen it, as it could before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('remediation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_answer', sa.String(length=4000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('remediation', schema=None) as batch_op:
        batch_op.drop_column('closed_answer')
