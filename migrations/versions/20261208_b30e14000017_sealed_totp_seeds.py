"""two-step verification: TOTP seeds stored sealed (AES-GCM) instead of in clear

Revision ID: b30e14000017
Revises: b20e13000016
Create Date: 2026-12-08 02:20:00

Each existing seed is sealed under the deployment's key (``DATA_ENCRYPTION_KEY``, else the
one derived from ``SECRET_KEY``): run the upgrade with the production configuration. The
downgrade opens them again with the same key.
"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from enforcement.auth import sealing

revision = 'b30e14000017'
down_revision = 'b20e13000016'
branch_labels = None
depends_on = None

user_totp = sa.table('user_totp', sa.column('user_id', sa.Integer),
                     sa.column('secret', sa.String), sa.column('sealed_secret', sa.String))


def _context(user_id):
    return f"totp:{user_id}"


def upgrade():
    with op.batch_alter_table('user_totp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_secret', sa.String(length=255), nullable=True))
    key = sealing.key_of(current_app.config)
    conn = op.get_bind()
    for user_id, secret in conn.execute(sa.select(user_totp.c.user_id, user_totp.c.secret)).all():
        conn.execute(user_totp.update().where(user_totp.c.user_id == user_id).values(
            sealed_secret=sealing.seal(secret, _context(user_id), key)))
    with op.batch_alter_table('user_totp', schema=None) as batch_op:
        batch_op.alter_column('sealed_secret', existing_type=sa.String(length=255),
                              nullable=False)
        batch_op.drop_column('secret')


def downgrade():
    with op.batch_alter_table('user_totp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.String(length=64), nullable=True))
    key = sealing.key_of(current_app.config)
    conn = op.get_bind()
    rows = conn.execute(sa.select(user_totp.c.user_id, user_totp.c.sealed_secret)).all()
    for user_id, sealed in rows:
        conn.execute(user_totp.update().where(user_totp.c.user_id == user_id).values(
            secret=sealing.unseal(sealed, _context(user_id), key)))
    with op.batch_alter_table('user_totp', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('sealed_secret')
