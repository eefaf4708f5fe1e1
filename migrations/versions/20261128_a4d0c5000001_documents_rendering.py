"""documents: rendering, storage, revocation, verification codes, number formats

Revision ID: a4d0c5000001
Revises: b8e6dedae192
Create Date: 2026-11-28 06:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = 'a4d0c5000001'
down_revision = 'b8e6dedae192'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
