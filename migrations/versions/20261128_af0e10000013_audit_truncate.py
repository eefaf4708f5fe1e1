"""audit log: TRUNCATE refused too (PostgreSQL), as UPDATE and DELETE already are

Revision ID: af0e10000013
Revises: ae0e0f000012
Create Date: 2026-11-28 12:20:00

"""
from alembic import op

revision = 'af0e10000013'
down_revision = 'ae0e0f000012'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite has no TRUNCATE: its DELETE trigger (initial schema) covers "DELETE FROM"
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
