"""public report portal: idempotency keys, rate limits, agent mandates, report links

Revision ID: a5e0a1000003
Revises: a3c10c000002
Create Date: 2026-11-28 08:15:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = 'a5e0a1000003'
down_revision = 'a3c10c000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
