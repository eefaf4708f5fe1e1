"""judicial referral: packets, receivers' records, supervision opinions

Revision ID: aa0e0b000008
Revises: a9e0a5000007
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'aa0e0b000008'
down_revision = 'a9e0a5000007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
