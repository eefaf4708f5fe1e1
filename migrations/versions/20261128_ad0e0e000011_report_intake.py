"""reports accepted into an intake queue and registered by a worker

Revision ID: ad0e0e000011
Revises: ac0e0d000010
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'ad0e0e000011'
down_revision = 'ac0e0d000010'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
