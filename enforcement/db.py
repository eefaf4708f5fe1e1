"""Column types, engine settings and per-transaction memos shared by every model."""
import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from enforcement.extensions import db

#: a day the application acts as if it were (demo data and tests of periods); None: today
_as_of: ContextVar[date | None] = ContextVar("as_of", default=None)


def utcnow() -> datetime:
    now = datetime.now(UTC)
    day = _as_of.get()
    if day is None:
        return now
    china = now.astimezone(ZoneInfo("Asia/Shanghai"))
    return datetime.combine(day, china.timetz()).astimezone(UTC)


@contextmanager
def acting_as_of(day: date):
    """Run as if today were ``day``: for building demo histories, never for real actions."""
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls, length: int = 32):
    """An Enum stored by value as VARCHAR, so that adding a member needs no ALTER TYPE."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # let SQLAlchemy's "begin" event below open transactions, not pysqlite
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    # SQLite: take the write lock when the transaction starts, so that two writers queue on
    # the busy timeout instead of one failing when it upgrades a stale read snapshot
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def local_today() -> date:
    """Today in China (Asia/Shanghai), the day legal periods are counted in."""
    return _as_of.get() or datetime.now(ZoneInfo("Asia/Shanghai")).date()


def local_date(moment: datetime) -> date:
    """The Chinese calendar day of a stored UTC moment."""
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).date()


def local_day_start(day: date) -> datetime:
    """The UTC moment a Chinese calendar day starts: a bound on stored UTC moments. The
    calendar's first day starts at the earliest moment there is (in China time it begins
    before year 1, which no datetime holds)."""
    if day == date.min:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.combine(day, time.min, ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def local_day_end(day: date) -> datetime:
    """The UTC moment a Chinese calendar day ends (the next day's start), for "up to and
    including ``day``"; after the calendar's last day, the latest moment there is."""
    if day == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return local_day_start(day + timedelta(days=1))


def render_migration_item(type_, obj, autogen_context):
    """Write our column types into migrations as plain SQLAlchemy types, so that migrations
    never import application code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


class TransactionMemo:
    """Values read once per transaction and kept in the session: forgotten at commit and
    rollback, and when the transaction itself writes a row of one of ``models`` (so a read
    after the write sees it). ``memo.get()`` is the current transaction's dict."""

    def __init__(self, key: str, *models):
        self.key, self.models = key, models
        event.listen(Session, "after_commit", self.forget)
        event.listen(Session, "after_rollback", self.forget)
        event.listen(Session, "after_flush", self._after_flush)

    def get(self) -> dict:
        return db.session.info.setdefault(self.key, {})

    def forget(self, session) -> None:
        session.info.pop(self.key, None)

    def _after_flush(self, session, _context) -> None:
        if any(isinstance(obj, self.models)
               for obj in (*session.new, *session.dirty, *session.deleted)):
            self.forget(session)
