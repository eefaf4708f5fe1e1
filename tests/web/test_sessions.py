"""Login sessions: a fresh cookie at login, 30 minutes idle and 12 hours at most, and a
__Host- cookie behind TLS."""
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from enforcement import create_app
from enforcement.audit.models import AuditEntry
from enforcement.extensions import db
from enforcement.security import SEEN, STARTED
from tests.conftest import IsolatedClient, user


def _age(client, **minutes_ago):
    now = int(time.time())
    with client.session_transaction() as session:
        for key, minutes in minutes_ago.items():
            session[{"started": STARTED, "seen": SEEN}[key]] = now - minutes * 60


def test_an_idle_session_ends_after_30_minutes(browser):
    browser.login("linhe_inspector1")
    assert browser.client.get("/dashboard").status_code == 200
    _age(browser.client, seen=29)
    assert browser.client.get("/dashboard").status_code == 200  # still alive, and renewed
    with browser.client.session_transaction() as session:
        assert int(time.time()) - session[SEEN] < 5
    _age(browser.client, seen=31)
    response = browser.client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location
    page = browser.client.get(response.location).get_data(as_text=True)
    assert "登录已超时" in page
    # and it stays ended: the next request is anonymous
    assert browser.client.get("/dashboard").status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "auth.session_expired").order_by(AuditEntry.id.desc()))
    assert entry.detail["reason"] == "idle"
    assert entry.object_id == str(user("linhe_inspector1").id)


def test_a_busy_session_still_ends_after_12_hours(browser):
    browser.login("linhe_head")
    _age(browser.client, started=12 * 60 + 1, seen=1)
    response = browser.client.get("/cases/")
    assert response.status_code == 302 and "/login" in response.location
    assert "最长时限" in browser.client.get(response.location).get_data(as_text=True)


def test_login_starts_a_new_session(browser):
    browser.client.get("/login")
    with browser.client.session_transaction() as session:
        session["planted"] = "by someone else"
        before = dict(session)
    browser.login("linhe_inspector1")
    with browser.client.session_transaction() as session:
        after = dict(session)
    assert "planted" not in after and after.get("_user_id")
    assert after.get("csrf_token") != before.get("csrf_token")
    assert after[STARTED] == after[SEEN]


def test_behind_tls_the_cookie_is_a_host_cookie(database_url, tmp_path):
    name = subprocess.run(
        [sys.executable, "-c", "import config; print(config.Config.SESSION_COOKIE_NAME)"],
        env={"SESSION_COOKIE_SECURE": "1", "SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
        check=True).stdout.strip()
    assert name == "__Host-session"
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url,
                     STORAGE_DIR=str(tmp_path / "storage"), SESSION_COOKIE_SECURE=True,
                     SESSION_COOKIE_NAME=name, WTF_CSRF_ENABLED=False)
    app.test_client_class = IsolatedClient
    with app.app_context():
        response = app.test_client().post("https://localhost/login", data={
            "username": "linhe_inspector1", "password": "demo-pass-2026"})
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie")
                  if h.startswith("__Host-session="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes and "Path=/" in cookie
