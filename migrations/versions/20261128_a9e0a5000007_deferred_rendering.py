"""documents rendered after the issuing transaction: pending state

Revision ID: a9e0a5000007
Revises: a8e0a4000006
Create Date: 2026-11-28 09:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a9e0a5000007'
down_revision = 'a8e0a4000006'
branch_labels = None
depends_on = None


def upgrade():
    # pdf, sha256 and page_count are nullable already; a pending document has them empty
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_pending', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_documents_render_pending'), ['render_pending'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_render_pending'))
        batch_op.drop_column('render_pending')
