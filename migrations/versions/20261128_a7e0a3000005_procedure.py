"""administrative procedure: structured records, worksheet, surcharge, supplier referrals

Revision ID: a7e0a3000005
Revises: a6e0a2000004
Create Date: 2026-11-28 08:15:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = 'a7e0a3000005'
down_revision = 'a6e0a2000004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
