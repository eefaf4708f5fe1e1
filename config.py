"""Configuration classes, read from the environment."""
import os
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("ENFORCEMENT_INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str | None:
    """SECRET_KEY from the environment, else from instance/secret_key (written by set-up)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE_DIR / "secret_key"
    return path.read_text().strip() if path.exists() else None


def database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Config:
    #: SQLAlchemy URL; the embedded SQLite file under instance/ unless DATABASE_URL is set
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'enforcement.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = _secret_key()
    #: where uploaded evidence and rendered documents are stored (never served directly)
    STORAGE_DIR = os.environ.get("STORAGE_DIR", str(INSTANCE_DIR / "storage"))

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh": "简体中文", "en": "English"}

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    #: failed logins before an account is locked, and for how long
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    #: lifetime of API bearer tokens
    API_TOKEN_LIFETIME = timedelta(hours=8)

    #: the address printed in every document's verification QR code
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000")
    #: PDF rendering: seconds before a runaway render is killed, and worker processes
    NOTICE_RENDER_TIMEOUT = int(os.environ.get("NOTICE_RENDER_TIMEOUT", "30"))
    NOTICE_RENDER_PROCESSES = int(os.environ.get("NOTICE_RENDER_PROCESSES", "2"))

    BOOTSTRAP_SERVE_LOCAL = True
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024


class TestConfig(Config):
    """Tests pass the database URL of each test themselves (see tests/conftest.py)."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = None
    #: never the repository's instance/ folder; tests that store files pass their own
    STORAGE_DIR = os.path.join(tempfile.gettempdir(), f"enforcement-test-{os.getpid()}")
