"""audit log: the application role may only read and append

PostgreSQL only. The group role ``enforcement_app`` (NOLOGIN) gets read and write on every
table and sequence, now and for tables created later by the migrating user, but only SELECT
and INSERT on ``audit_log``: the database itself refuses the application an UPDATE, DELETE or
TRUNCATE there, before any trigger runs. The deployment's login role is made a member
(``GRANT enforcement_app TO app_login``, README "Running in production").

Roles belong to the whole cluster while grants belong to one database, and many databases of
one cluster run this migration (every test database, concurrently): the role is created only
when absent, a concurrent creation is tolerated, and every grant is idempotent.

Revision ID: b10e12000015
Revises: b00e11000014
Create Date: 2026-11-28 14:30:00

"""
import logging

from alembic import op
from sqlalchemy import text

revision = 'b10e12000015'
down_revision = 'b00e11000014'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

APP_ROLE = "enforcement_app"
#: what the application may not do to its own audit trail
AUDIT_REFUSED = "UPDATE, DELETE, TRUNCATE"

# a role created by another database's migration between the check and the CREATE raises
# duplicate_object (or unique_violation on pg_authid): either way the role is there
_CREATE_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        BEGIN
            CREATE ROLE {APP_ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$
"""


def _role_exists(bind) -> bool:
    return bind.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"),
                        {"name": APP_ROLE}).first() is not None


def _may_create_roles(bind) -> bool:
    return bool(bind.execute(text(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )).scalar())


def _schema(bind) -> str:
    return bind.execute(text("SELECT quote_ident(current_schema())")).scalar()


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite has no roles: its triggers (initial schema) refuse UPDATE and DELETE
    # nobody gets these through PUBLIC, whether or not the group role can be set up
    op.execute(f"REVOKE {AUDIT_REFUSED} ON audit_log FROM PUBLIC")
    if not _role_exists(bind):
        if not _may_create_roles(bind):
            log.warning("role %s is missing and %s may not create roles: no grants set; "
                        "create it (NOLOGIN), then run this migration again",
                        APP_ROLE, bind.execute(text("SELECT current_user")).scalar())
            return
        op.execute(_CREATE_ROLE)
    # (USAGE on the schema: PUBLIC has it; only the schema's owner could grant it anyway)
    schema = _schema(bind)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} "
               f"TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {APP_ROLE}")
    op.execute(f"REVOKE {AUDIT_REFUSED} ON audit_log FROM {APP_ROLE}")
    # tables and sequences of later migrations (created by this same migrating user)
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
               f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
               f"GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _role_exists(bind):
        return
    # the role stays: it is shared by the cluster's other databases
    schema = _schema(bind)
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
               f"REVOKE USAGE, SELECT ON SEQUENCES FROM {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
               f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {APP_ROLE}")
