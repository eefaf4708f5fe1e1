"""Test databases: one migrated and seeded template per run, a fresh copy for every test.

Each copy is dropped when its test ends.

SQLite copies the template file; PostgreSQL creates each test's database from the template
(``CREATE DATABASE … TEMPLATE``). A TEST_DATABASE_URL that is set but unreachable fails the
run; it never falls back to SQLite.
"""
import itertools
import os
import shutil
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from config import database_url


class SqliteDatabases:
    name = "sqlite"

    def __init__(self, directory: Path):
        self.directory = directory
        self.template = directory / "template.sqlite3"
        self._counter = itertools.count(1)

    @property
    def template_url(self) -> str:
        return f"sqlite:///{self.template}"

    def new(self) -> str:
        target = self.directory / f"test-{next(self._counter)}.sqlite3"
        shutil.copyfile(self.template, target)
        wal = Path(f"{self.template}-wal")
        if wal.exists():
            shutil.copyfile(wal, f"{target}-wal")
        return f"sqlite:///{target}"

    def drop(self, url: str):
        """Delete a test's copy (a full suite would otherwise keep ~800 copies on disk)."""
        path = make_url(url).database
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)

    def close(self):
        pass


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, url: str):
        self.url = make_url(database_url(url))
        self.prefix = f"enf_test_{os.getpid()}"
        self._counter = itertools.count(1)
        self._created: list[str] = []
        # fails loudly when the server is not there
        self.admin = psycopg.connect(self._dsn(self.url.database), autocommit=True)
        self._create(self.prefix + "_tpl")

    def _dsn(self, database: str) -> str:
        u = self.url
        return psycopg.conninfo.make_conninfo(host=u.host or "127.0.0.1", port=u.port or 5432,
                                              user=u.username or "postgres",
                                              password=u.password or None, dbname=database)

    def _url(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None):
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        suffix = f' TEMPLATE "{template}"' if template else ""
        self.admin.execute(f'CREATE DATABASE "{name}"{suffix}')
        self._created.append(name)

    @property
    def template_url(self) -> str:
        return self._url(self.prefix + "_tpl")

    def new(self) -> str:
        name = f"{self.prefix}_{next(self._counter)}"
        self._create(name, template=self.prefix + "_tpl")
        return self._url(name)

    def drop(self, url: str):
        name = make_url(url).database
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.remove(name)

    def close(self):
        for name in reversed(self._created):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


def databases_for_run(tmp_dir: Path):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if not url.startswith(("postgresql", "postgres")):
            raise RuntimeError(f"TEST_DATABASE_URL must be a PostgreSQL URL, got {url!r}")
        return PostgresDatabases(url)
    return SqliteDatabases(tmp_dir)
