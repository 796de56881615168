"""sign-in limits: an index for the per-address count

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Adds one index only (login_failure: client, at), which the count of an address's recent failures uses; every
row of a 0005 store survives unchanged.
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_login_failure_client_at', 'login_failure', ['client', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_failure_client_at', table_name='login_failure')
