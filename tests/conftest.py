"""Fixtures: an app on a fresh copy of the migrated, seeded demo database for every test."""
import re

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select

from enforcement import create_app
from enforcement.db import local_today
from enforcement.extensions import db
from tests.databases import PostgresDatabases, databases_for_run

DEMO_PASSWORD = "demo-pass-2026"
#: the year the ``gap`` fixture leaves without a holiday notice: the next one
GAP = local_today().year + 1


def _build_template(url: str):
    from enforcement.demo.seed import seed

    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        seed(DEMO_PASSWORD)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = databases_for_run(tmp_path_factory.mktemp("db"))
    _build_template(dbs.template_url)
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def db_kind(databases):
    return databases.name


@pytest.fixture
def database_url(databases):
    url = databases.new()
    yield url
    databases.drop(url)


@pytest.fixture
def empty_database_url(databases, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if not isinstance(databases, PostgresDatabases):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"{databases.prefix}_empty"
    databases.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    databases.admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield databases.url.set(database=name).render_as_string(hide_password=False)
    finally:
        databases.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in a real server.

    The ``app`` fixture keeps an app context open for the test's own queries; without this,
    requests would reuse it and share ``g`` (CSRF token, locale, logged-in user) and the
    database session with the test and with each other.
    """

    def open(self, *args, **kwargs):
        # end the test's own transaction first: SQLite transactions here are BEGIN IMMEDIATE
        # and would block the request's writes; the test's objects are re-read afterwards
        db.session.rollback()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url,
                     STORAGE_DIR=str(tmp_path / "storage"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def user(username: str):
    from enforcement.auth.models import User

    return db.session.scalar(select(User).where(User.username == username))


@pytest.fixture
def gap(app) -> int:
    """Next year (``GAP``) as a year whose holiday notice nobody has entered yet, as it is
    each year until the State Council's notice is out: the demo data's labelled stand-in for
    it (``enforcement.demo.seed.seed_calendar``) is taken out and the open clocks that reach
    into it recomputed, as they would be if it had never been entered."""
    from enforcement.clocks import holidays
    from enforcement.clocks.calendar import PACKAGE_YEARS
    from enforcement.clocks.models import CalendarYear, HolidayDay
    from enforcement.clocks.services import recompute_open

    assert GAP not in PACKAGE_YEARS, f"the calendar package now carries {GAP}: use a later year"
    db.session.execute(HolidayDay.__table__.delete().where(HolidayDay.year == GAP))
    db.session.execute(CalendarYear.__table__.delete().where(CalendarYear.year == GAP))
    holidays.forget()
    recompute_open(holidays.current())
    db.session.commit()
    assert not holidays.current().knows(GAP)
    return GAP


def case_in_state(state: str, unit_code: str = "linhe_amr"):
    """The demo case of a unit in a given state (the seed puts a 临河区 case in each)."""
    from enforcement.cases.models import Case
    from enforcement.orgs.models import OrgUnit
    from workflows.states import CaseState

    return db.session.scalar(
        select(Case).join(OrgUnit, OrgUnit.id == Case.unit_id)
        .where(Case.state == CaseState(state), OrgUnit.code == unit_code).order_by(Case.id))


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A logged-in test client that carries the CSRF token like a browser form would."""

    def __init__(self, client):
        self.client = client
        self.username = None

    def csrf(self, path="/login") -> str:
        html = self.client.get(path, follow_redirects=True).get_data(as_text=True)
        match = CSRF_RE.search(html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username, password=DEMO_PASSWORD):
        token = self.csrf("/login")
        response = self.client.post("/login", data={"csrf_token": token, "username": username,
                                                    "password": password})
        self.username = username
        return response

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf("/dashboard")})

    def post(self, path, data, token_from=None):
        return self.client.post(path, data={"csrf_token": self.csrf(token_from or path), **data})


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def api(client):
    """Call the JSON API as a user: ``api.as_user("linhe_inspector1").get(...)``."""

    class Api:
        def __init__(self):
            self.headers = {}

        def as_user(self, username, password=DEMO_PASSWORD):
            response = client.post("/api/v1/auth/token",
                                   json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
            return self

        def get(self, path, **kwargs):
            return client.get(path, headers={**self.headers, **kwargs.pop("headers", {})},
                              **kwargs)

        def post(self, path, **kwargs):
            return client.post(path, headers={**self.headers, **kwargs.pop("headers", {})},
                               **kwargs)

    return Api()
