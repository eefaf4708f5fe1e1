"""reports accepted into an intake queue and registered by a worker

Revision ID: ad0e0e000011
Revises: ac0e0d000010
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'ad0e0e000011'
down_revision = 'ac0e0d000010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('files', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('registered_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
    # reports filed before the intake queue were registered when they were received
    op.execute("UPDATE reports SET registered_at = created_at WHERE case_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('registered_at')
        batch_op.drop_column('files')
        batch_op.drop_column('payload')
