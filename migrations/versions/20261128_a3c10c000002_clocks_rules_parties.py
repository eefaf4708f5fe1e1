"""clocks, calendar and rules: holiday table, clock events, dated rule data, party flags

Revision ID: a3c10c000002
Revises: a4d0c5000001
Create Date: 2026-11-28 06:00:01

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = 'a3c10c000002'
down_revision = 'a4d0c5000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
