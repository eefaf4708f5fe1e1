"""notifications: outbox delivery state, holder requests, mediation

Revision ID: a6e0a2000004
Revises: a5e0a1000003
Create Date: 2026-11-28 08:15:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = 'a6e0a2000004'
down_revision = 'a5e0a1000003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
