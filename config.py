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
    #: SQLAlchemy URL; the embedded SQLite file under instance/ unless DATABASE_URL is set.
    #: PostgreSQL: migrate as the tables' owner, run the app as a login role that is a member
    #: of enforcement_app (``GRANT enforcement_app TO app_login``; migration b10e12000015):
    #: that role may read and append the audit log, never UPDATE, DELETE or TRUNCATE it
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'enforcement.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = _secret_key()
    #: the key TOTP seeds are sealed under (32 bytes, URL-safe base64: ``flask users
    #: data-key``); unset, one derived from SECRET_KEY. Keep it with the backups: a restored
    #: database's seeds open only with it (enforcement/auth/sealing.py)
    DATA_ENCRYPTION_KEY = os.environ.get("DATA_ENCRYPTION_KEY") or None
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
    #: behind TLS the cookie is a __Host- cookie: Secure, path /, never sent to another host
    SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "session"
    REMEMBER_COOKIE_DURATION = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: a login ends after this long without a request, and this long after it began
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "12")))

    #: failed logins before an account is locked, and for how long
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    #: lifetime of API bearer tokens
    API_TOKEN_LIFETIME = timedelta(hours=8)
    #: roles whose users must log in with a second factor (TOTP): heads who approve, the
    #: receiving police, procuratorates and courts, and the administrator and auditor; any
    #: other staff user may enrol voluntarily (comma-separated role codes; empty: none)
    TOTP_REQUIRED_ROLES = tuple(filter(None, (code.strip() for code in os.environ.get(
        "TOTP_REQUIRED_ROLES", "bureau_head,police,procurator,court,admin,auditor").split(","))))

    #: the address printed in every document's verification QR code
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000")
    #: PDF rendering: seconds before a runaway render is killed, and worker processes
    NOTICE_RENDER_TIMEOUT = int(os.environ.get("NOTICE_RENDER_TIMEOUT", "30"))
    NOTICE_RENDER_PROCESSES = int(os.environ.get("NOTICE_RENDER_PROCESSES", "2"))

    BOOTSTRAP_SERVE_LOCAL = True
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024

    #: public portal: files per report, and their total (each file: 20 MB, evidence.checks)
    REPORT_MAX_FILES = int(os.environ.get("REPORT_MAX_FILES", "10"))
    REPORT_MAX_BYTES = int(os.environ.get("REPORT_MAX_BYTES", str(45 * 1024 * 1024)))
    #: rate limits per client address: action -> (requests, window in seconds)
    #: where the rate-limit counters live: a redis:// URL, or empty for the database
    RATE_LIMIT_STORAGE_URL = os.environ.get("RATE_LIMIT_STORAGE_URL", "")
    #: when a received report is registered (routed, made a case, numbered): "request" — at
    #: once, in the request that received it; "worker" — by `flask reports register-pending
    #: --loop`, so that a surge of reports is taken in at the speed of one insert each
    REPORT_REGISTRATION = os.environ.get("REPORT_REGISTRATION", "request")
    #: registration attempts of one report before the worker leaves it to an operator
    REPORT_MAX_ATTEMPTS = int(os.environ.get("REPORT_MAX_ATTEMPTS", "5"))
    RATE_LIMITS = {
        "report_file": (int(os.environ.get("RATE_REPORT_FILE", "10")), 3600),
        "report_status": (int(os.environ.get("RATE_REPORT_STATUS", "30")), 600),
        "login": (int(os.environ.get("RATE_LOGIN", "30")), 600),
        "register": (int(os.environ.get("RATE_REGISTER", "10")), 3600),
        "packet_verify": (int(os.environ.get("RATE_PACKET_VERIFY", "30")), 3600),
    }

    #: outgoing e-mail (outbox delivery); no SMTP_HOST: e-mail messages wait, logged as failed
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_FROM = os.environ.get("SMTP_FROM", "noreply@localhost")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", True)
    #: CA bundle that signed the SMTP server's certificate, if not a public one (intranet relay)
    SMTP_CA_FILE = os.environ.get("SMTP_CA_FILE", "")
    SMTP_TIMEOUT = int(os.environ.get("SMTP_TIMEOUT", "30"))
    #: SMS gateway adapter, "module:Class"; the default writes each message to the log
    SMS_ADAPTER = os.environ.get("SMS_ADAPTER", "enforcement.outbox.channels:LogSms")
    #: delivery attempts before a message is marked failed; seconds a claim is held
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "6"))
    OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "600"))
    #: the Ed25519 key that signs referral packets (PEM); made, mode 0600, on first use
    PACKET_SIGNING_KEY_FILE = os.environ.get("PACKET_SIGNING_KEY_FILE",
                                             str(INSTANCE_DIR / "packet_signing_key.pem"))
    #: the largest packet the public page /packets/verify takes (larger: the CLI, offline)
    PACKET_VERIFY_MAX_BYTES = int(os.environ.get("PACKET_VERIFY_MAX_BYTES",
                                                 str(1024 * 1024 * 1024)))


class TestConfig(Config):
    """Tests pass the database URL of each test themselves (see tests/conftest.py)."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = None
    #: never the repository's instance/ folder; tests that store files pass their own
    STORAGE_DIR = os.path.join(tempfile.gettempdir(), f"enforcement-test-{os.getpid()}")
    PACKET_SIGNING_KEY_FILE = os.path.join(STORAGE_DIR, "packet_signing_key.pem")
    #: no second factor unless a test asks for one (tests/web/test_totp.py)
    TOTP_REQUIRED_ROLES = ()
