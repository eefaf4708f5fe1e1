"""referral packets: built packets and their downloads

Revision ID: ae0e0f000012
Revises: ad0e0e000011
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'ae0e0f000012'
down_revision = 'ad0e0e000011'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
