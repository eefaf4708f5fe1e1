"""Migrations and models agree: a new, empty database migrated to head has the models' schema,
and downgrading to base leaves nothing behind (SQLite and PostgreSQL)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from enforcement import create_app
from enforcement.extensions import db


@pytest.fixture
def empty_app(empty_database_url):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def drift() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def triggers() -> set[str]:
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    with db.engine.connect() as conn:
        return set(conn.execute(text(sql)).scalars())


def test_new_database_starts_empty(empty_app):
    assert table_names() == set()


def test_migrations_match_the_models(empty_app):
    upgrade()
    assert drift() == []
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}
    # the audit log refuses UPDATE and DELETE; PostgreSQL also TRUNCATE (SQLite has none)
    expected = {"audit_log_no_update", "audit_log_no_delete"}
    if db.engine.dialect.name == "postgresql":
        expected.add("audit_log_no_truncate")
    assert triggers() == expected


def test_downgrade_to_base_leaves_only_the_version_table(empty_app):
    upgrade()
    downgrade(revision="base")
    assert table_names() == {"alembic_version"}
    assert triggers() == set()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            assert conn.execute(text(
                "SELECT count(*) FROM pg_proc WHERE proname = 'audit_log_append_only'"
            )).scalar() == 0


def test_upgrade_after_downgrade_gives_the_same_schema(empty_app):
    upgrade()
    downgrade(revision="base")
    upgrade()
    assert drift() == []


def test_the_upgrade_seals_existing_totp_seeds_and_the_downgrade_opens_them(empty_app):
    from enforcement.auth import sealing

    seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    upgrade(revision="b20e13000016")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, full_name, password_hash, active, "
                          "session_version, failed_logins, created_at) VALUES (7, 'head', '杨局长', "
                          "'x', :yes, 1, 0, CURRENT_TIMESTAMP)"), {"yes": True})
        conn.execute(text("INSERT INTO user_totp (user_id, secret, created_at) "
                          "VALUES (7, :seed, CURRENT_TIMESTAMP)"), {"seed": seed})
    upgrade()
    with db.engine.connect() as conn:
        sealed = conn.execute(text("SELECT sealed_secret FROM user_totp")).scalar_one()
    assert seed not in sealed and sealing.unseal(sealed, "totp:7") == seed
    downgrade(revision="b20e13000016")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT secret FROM user_totp")).scalar_one() == seed
