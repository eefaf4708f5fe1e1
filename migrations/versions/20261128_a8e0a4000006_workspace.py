"""workspace: search indexes, evidence thumbnails

Revision ID: a8e0a4000006
Revises: a7e0a3000005
Create Date: 2026-11-28 08:15:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = 'a8e0a4000006'
down_revision = 'a7e0a3000005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
