"""The application's database role may read and append the audit log, never change it.

On PostgreSQL each test connects as a fresh LOGIN role that is a member of ``enforcement_app``
(as a deployment's ``app_login`` is) and finds UPDATE, DELETE and TRUNCATE on ``audit_log``
refused by the privilege system itself — before the append-only triggers would run — while
every other table stays writable. SQLite has no roles: there the same tests prove the triggers
refuse the same statements to the application's own connection.
"""
import importlib.util
import uuid
from pathlib import Path

import psycopg
import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from enforcement import create_app
from enforcement.audit import services as audit
from enforcement.audit.models import AuditEntry
from enforcement.extensions import db

APP_ROLE = "enforcement_app"
GRANTS_MIGRATION = "20261128_b10e12000015_audit_grants.py"
#: what may never be done to the log, with an SQLite equivalent (it has no TRUNCATE)
FORBIDDEN = {
    "UPDATE": ("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 1",) * 2,
    "DELETE": ("DELETE FROM audit_log WHERE seq = 1",) * 2,
    "TRUNCATE": ("TRUNCATE audit_log", "DELETE FROM audit_log"),
}


@pytest.fixture
def app_login(databases, database_url, db_kind):
    """The URL the application connects with: a new member of enforcement_app (PostgreSQL),
    or the database file itself (SQLite)."""
    if db_kind != "postgresql":
        yield database_url
        return
    name = f"enf_login_{uuid.uuid4().hex[:12]}"
    password = uuid.uuid4().hex
    databases.admin.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}' "
                            f"NOSUPERUSER IN ROLE {APP_ROLE}")
    try:
        yield make_url(database_url).set(username=name, password=password) \
            .render_as_string(hide_password=False)
    finally:
        databases.admin.execute(f"DROP ROLE {name}")


@pytest.fixture
def role_app(app_login, tmp_path):
    """The application itself, connected as the deployment's login role."""
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=app_login,
                     STORAGE_DIR=str(tmp_path / "storage"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _pg_connect(url: str) -> psycopg.Connection:
    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username,
                           password=u.password, dbname=u.database)


def test_the_app_appends_and_reads_the_log_as_its_login_role(role_app, db_kind):
    if db_kind == "postgresql":
        who, superuser = db.session.execute(text(
            "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")).one()
        assert who.startswith("enf_login_") and superuser is False
        assert db.session.scalar(text(f"SELECT pg_has_role(current_user, '{APP_ROLE}', "
                                      "'MEMBER')")) is True
    marker = uuid.uuid4().hex
    entry = audit.record("test.grants_probe", obj_type="probe", obj_id=marker)
    db.session.commit()
    db.session.remove()
    found = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == marker))
    assert found is not None and found.seq == entry.seq
    assert audit.verify_chain().ok


def test_update_delete_truncate_of_the_log_are_refused(role_app, app_login, db_kind):
    case_id = db.session.scalar(text("SELECT min(id) FROM cases"))
    db.session.remove()
    if db_kind == "postgresql":
        with _pg_connect(app_login) as conn:
            for statement, _sqlite in FORBIDDEN.values():
                with pytest.raises(psycopg.errors.InsufficientPrivilege,
                                   match="permission denied for table audit_log"):
                    conn.execute(statement)
                conn.rollback()
            # an ordinary table stays writable for the same role, in the same session
            updated = conn.execute("UPDATE cases SET updated_at = updated_at WHERE id = %s",
                                   (case_id,)).rowcount
            conn.commit()
    else:
        for _pg, statement in FORBIDDEN.values():
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        updated = db.session.execute(text("UPDATE cases SET updated_at = updated_at "
                                          "WHERE id = :id"), {"id": case_id}).rowcount
        db.session.commit()
    assert updated == 1
    assert db.session.scalar(select(AuditEntry.actor_name).where(AuditEntry.seq == 1)) \
        != "mallory"
    assert audit.verify_chain().ok


def _table_privileges(table: str) -> dict[str, bool]:
    return {p: db.session.scalar(text("SELECT has_table_privilege(:role, :table, :p)"),
                                 {"role": APP_ROLE, "table": table, "p": p})
            for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}


def _user_tables() -> list[str]:
    return list(db.session.scalars(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename <> 'alembic_version' ORDER BY tablename")))


def _sqlite_triggers() -> dict[str, str]:
    return dict(db.session.execute(text(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")).all())


def test_every_table_is_writable_but_the_log(app, db_kind):
    """Tables created after the grants too (later migrations, run by the same migrating
    user: default privileges), and the sequences behind the ids."""
    if db_kind != "postgresql":
        # no roles: the only tables the database refuses to change are the log's
        assert _sqlite_triggers() == {"audit_log_no_update": "audit_log",
                                      "audit_log_no_delete": "audit_log"}
        return
    db.session.execute(text("CREATE TABLE later_migration_probe (id serial PRIMARY KEY)"))
    db.session.commit()
    tables = _user_tables()
    assert {"audit_log", "audit_head", "cases", "later_migration_probe"} <= set(tables)
    for table in tables:
        writable = table != "audit_log"
        assert _table_privileges(table) == {
            "SELECT": True, "INSERT": True, "UPDATE": writable, "DELETE": writable,
            "TRUNCATE": False}, table
    unusable = db.session.scalars(text(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
        "AND NOT has_sequence_privilege(:role, "
        "quote_ident(schemaname) || '.' || quote_ident(sequencename), 'USAGE')"),
        {"role": APP_ROLE}).all()
    assert unusable == []
    assert "later_migration_probe_id_seq" in db.session.scalars(text(
        "SELECT sequencename FROM pg_sequences")).all()


def _run_grants_migration(step: str):
    """This revision's own upgrade or downgrade, alone (not the later revisions' steps)."""
    path = Path(__file__).parents[2] / "migrations" / "versions" / GRANTS_MIGRATION
    spec = importlib.util.spec_from_file_location("audit_grants_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db.session.remove()
    with db.engine.begin() as conn:
        with Operations.context(MigrationContext.configure(conn)):
            getattr(module, step)()


def test_downgrade_revokes_the_grants_and_upgrade_restores_them(app, db_kind):
    _run_grants_migration("downgrade")
    if db_kind == "postgresql":
        assert db.session.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"),
                                 {"r": APP_ROLE}) == 1  # shared by the cluster: kept
        assert not any(_table_privileges("cases").values())
        assert not any(_table_privileges("audit_log").values())
        assert db.session.scalar(text(
            "SELECT count(*) FROM pg_default_acl "
            "WHERE array_to_string(defaclacl, ',') LIKE :grantee"),
            {"grantee": f"%{APP_ROLE}=%"}) == 0
    _run_grants_migration("upgrade")  # the role exists already, as after the first database
    if db_kind == "postgresql":
        assert all(v for p, v in _table_privileges("cases").items() if p != "TRUNCATE")
        assert _table_privileges("audit_log") == {
            "SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False,
            "TRUNCATE": False}
    else:
        assert set(_sqlite_triggers()) == {"audit_log_no_update", "audit_log_no_delete"}
