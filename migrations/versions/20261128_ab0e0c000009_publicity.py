"""publicity: published penalty entries, redaction, take-down

Revision ID: ab0e0c000009
Revises: aa0e0b000008
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'ab0e0c000009'
down_revision = 'aa0e0b000008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
