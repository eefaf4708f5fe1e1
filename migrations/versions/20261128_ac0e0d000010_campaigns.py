"""campaigns and field-work figures for the quarterly statistics

Revision ID: ac0e0d000010
Revises: ab0e0c000009
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'ac0e0d000010'
down_revision = 'ab0e0c000009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
