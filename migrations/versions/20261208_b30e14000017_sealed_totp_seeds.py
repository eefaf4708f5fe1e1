"""two-step verification: TOTP seeds stored sealed (AES-GCM) instead of in clear

Revision ID: b30e14000017
Revises: b20e13000016
Create Date: 2026-12-08 02:20:00

Each existing seed is sealed under the deployment's key (``DATA_ENCRYPTION_KEY``, else the
one derived from ``SECRET_KEY``): run the upgrade with the production configuration. The
downgrade opens them again with the same key. The sealing is written out here, as format v1
of ``enforcement/auth/sealing.py`` (migrations import no application code; that module must
keep reading v1).
"""
import base64
import os

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

revision = 'b30e14000017'
down_revision = 'b20e13000016'
branch_labels = None
depends_on = None

user_totp = sa.table('user_totp', sa.column('user_id', sa.Integer),
                     sa.column('secret', sa.String), sa.column('sealed_secret', sa.String))


def _context(user_id):
    return f"totp:{user_id}".encode()


def _key():
    configured = current_app.config.get("DATA_ENCRYPTION_KEY")
    if configured:
        key = base64.urlsafe_b64decode(configured.encode())
        assert len(key) == 32, "DATA_ENCRYPTION_KEY must be 32 bytes in URL-safe base64"
        return key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"enforcement: sealed secrets v1").derive(
                    current_app.config["SECRET_KEY"].encode())


def _seal(plain, user_id, key):
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plain.encode(), _context(user_id))
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def _unseal(sealed, user_id, key):
    raw = base64.urlsafe_b64decode(sealed.removeprefix("v1:").encode())
    return AESGCM(key).decrypt(raw[:12], raw[12:], _context(user_id)).decode()


def upgrade():
    with op.batch_alter_table('user_totp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_secret', sa.String(length=255), nullable=True))
    key = _key()
    conn = op.get_bind()
    for user_id, secret in conn.execute(sa.select(user_totp.c.user_id, user_totp.c.secret)).all():
        conn.execute(user_totp.update().where(user_totp.c.user_id == user_id).values(
            sealed_secret=_seal(secret, user_id, key)))
    with op.batch_alter_table('user_totp', schema=None) as batch_op:
        batch_op.alter_column('sealed_secret', existing_type=sa.String(length=255),
                              nullable=False)
        batch_op.drop_column('secret')


def downgrade():
    with op.batch_alter_table('user_totp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.String(length=64), nullable=True))
    key = _key()
    conn = op.get_bind()
    rows = conn.execute(sa.select(user_totp.c.user_id, user_totp.c.sealed_secret)).all()
    for user_id, sealed in rows:
        conn.execute(user_totp.update().where(user_totp.c.user_id == user_id).values(
            secret=_unseal(sealed, user_id, key)))
    with op.batch_alter_table('user_totp', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('sealed_secret')
