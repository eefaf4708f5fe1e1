"""Logging in and out: messages, lock-out, revoked sessions, CSRF, redirects and language."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from enforcement.audit.models import AuditEntry
from enforcement.auth.services import change_password, set_active
from enforcement.extensions import db
from tests.conftest import DEMO_PASSWORD, Browser, case_in_state, user
from tests.web import fresh_client, logged_in

BAD_CREDENTIALS = "用户名或密码错误"
LOCKED = "登录失败次数过多"


def audit_count(action: str, username: str | None = None, case_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    if username is not None:
        query = query.where(AuditEntry.actor_id == user(username).id)
    if case_id is not None:
        query = query.where(AuditEntry.object_type == "case",
                            AuditEntry.object_id == str(case_id))
    return db.session.scalar(query)


def goes_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


def clone_session(app, browser):
    """A second browser carrying a copy of the first one's session cookie."""
    cookie = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    other = fresh_client(app)
    other.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return other


# -- login ---------------------------------------------------------------------------------
def test_pages_need_a_login(app):
    client = fresh_client(app)
    response = client.get("/cases/")
    assert goes_to_login(response)
    assert "请先登录" in client.get(response.location).get_data(as_text=True)


def test_login_opens_the_dashboard(app):
    browser = Browser(fresh_client(app))
    response = browser.login("linhe_inspector1")
    assert response.status_code == 302 and response.location == "/dashboard"
    page = browser.client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "郑执法" in page and "巴彦淖尔市临河区市场监督管理局" in page
    assert audit_count("auth.login", "linhe_inspector1") == 1


#: where each kind of account lands from the site's home page
LANDINGS = {"admin": "/dashboard", "auditor": "/audit/", "supervisor": "/dashboard",
            "linhe_head": "/dashboard", "linhe_inspector1": "/dashboard",
            "police_linhe": "/dashboard", "court_linhe": "/dashboard",
            "procurator_city": "/dashboard", "station_linhe": "/portal/mine",
            "holder_hetao": "/portal/mine"}


@pytest.mark.parametrize("username", LANDINGS)
def test_the_home_page_opens_each_accounts_own_landing_page(app, username):
    client = logged_in(app, username).client
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == LANDINGS[username]
    # the login's own redirect (the workbench) ends on the same page
    after_login = client.get("/dashboard", follow_redirects=True)
    assert after_login.status_code == 200 and after_login.request.path == LANDINGS[username]


@pytest.mark.parametrize("username, password", [
    ("linhe_inspector1", "wrong-password"),
    ("nobody_here", DEMO_PASSWORD),
], ids=["wrong password", "unknown user"])
def test_failed_login_says_so_in_chinese(app, username, password):
    browser = Browser(fresh_client(app))
    response = browser.login(username, password)
    assert response.status_code == 200
    assert BAD_CREDENTIALS in response.get_data(as_text=True)
    assert goes_to_login(browser.client.get("/dashboard"))
    assert audit_count("auth.login_failed") == 1


def test_five_failures_lock_the_account(app):
    browser = Browser(fresh_client(app))
    messages = [browser.login("linhe_inspector2", "wrong-password").get_data(as_text=True)
                for _attempt in range(5)]
    assert all(BAD_CREDENTIALS in html for html in messages[:4])
    assert LOCKED in messages[4]

    response = browser.login("linhe_inspector2")  # the right password, too late
    assert response.status_code == 200 and LOCKED in response.get_data(as_text=True)
    assert goes_to_login(browser.client.get("/dashboard"))
    assert audit_count("auth.login_failed", "linhe_inspector2") == 6
    assert audit_count("auth.locked", "linhe_inspector2") == 1
    assert audit_count("auth.login", "linhe_inspector2") == 0


# -- revoked sessions ----------------------------------------------------------------------
def test_a_copied_session_dies_with_logout(app):
    browser = logged_in(app, "linhe_inspector1")
    copy = clone_session(app, browser)
    assert copy.get("/cases/").status_code == 200

    response = browser.logout()
    assert goes_to_login(response)
    assert "您已安全退出" in browser.client.get(response.location).get_data(as_text=True)
    assert goes_to_login(copy.get("/cases/"))
    assert goes_to_login(browser.client.get("/cases/"))


@pytest.mark.parametrize("revoke", [
    lambda me: set_active(me, False, actor=user("admin")),
    lambda me: change_password(me, "a-new-password-2026", actor=me),
], ids=["disabled", "password changed"])
def test_sessions_die_when_the_account_changes(app, revoke):
    browser = logged_in(app, "linhe_inspector1")
    copy = clone_session(app, browser)
    assert copy.get("/cases/").status_code == 200

    revoke(user("linhe_inspector1"))
    assert goes_to_login(copy.get("/cases/"))
    assert goes_to_login(browser.client.get("/cases/"))


def test_old_password_fails_and_new_one_works_after_a_change(app):
    me = user("linhe_inspector1")
    change_password(me, "a-new-password-2026", actor=me)
    browser = Browser(fresh_client(app))
    assert BAD_CREDENTIALS in browser.login("linhe_inspector1").get_data(as_text=True)
    assert browser.login("linhe_inspector1", "a-new-password-2026").status_code == 302


def test_a_hash_with_older_parameters_is_replaced_at_the_next_login(app):
    """Accounts hashed with the library's heavier default (as before) still log in, and
    their hash is rewritten with the current parameters; a wrong password rewrites nothing."""
    from argon2 import PasswordHasher

    me = user("linhe_inspector1")
    me.password_hash = PasswordHasher().hash(DEMO_PASSWORD)  # m=64 MiB, t=3, p=4
    db.session.commit()
    old = me.password_hash
    browser = Browser(fresh_client(app))
    assert BAD_CREDENTIALS in browser.login("linhe_inspector1", "wrong-password").get_data(
        as_text=True)
    db.session.refresh(me)
    assert me.password_hash == old
    assert browser.login("linhe_inspector1").status_code == 302
    db.session.refresh(me)
    assert me.password_hash != old and "$m=19456,t=2,p=1$" in me.password_hash
    assert Browser(fresh_client(app)).login("linhe_inspector1").status_code == 302


# -- CSRF ----------------------------------------------------------------------------------
def test_action_form_without_csrf_token_changes_nothing(app):
    browser = logged_in(app, "linhe_inspector1")
    case = case_in_state("verifying")
    case_id, version = case.id, case.version
    fields = {"version": version, "cause": "涉嫌销售假冒商品", "facts": "现场核查。",
              "proposal": "file", "reason": "符合立案条件。"}
    url = f"/cases/{case_id}/actions/propose_filing"

    response = browser.client.post(url, data=fields)
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    case = case_in_state("verifying")
    assert (case.id, case.version) == (case_id, version)
    assert audit_count("case.propose_filing", case_id=case_id) == 0
    # the same form with its token goes through: it was the missing token that was refused
    assert browser.post(url, fields).status_code == 303


def test_logout_without_csrf_token_keeps_the_session(app):
    browser = logged_in(app, "linhe_inspector1")
    version = user("linhe_inspector1").session_version

    assert browser.client.post("/logout").status_code == 400
    assert browser.client.get("/cases/").status_code == 200
    assert user("linhe_inspector1").session_version == version
    assert audit_count("auth.sessions_revoked", "linhe_inspector1") == 0


# -- redirects after login -------------------------------------------------------------------
def login_with_next(app, target):
    browser = Browser(fresh_client(app))
    token = browser.csrf("/login")
    return browser.client.post("/login", query_string={"next": target}, data={
        "csrf_token": token, "username": "linhe_inspector1", "password": DEMO_PASSWORD})


@pytest.mark.parametrize("target", [
    "https://evil.example/login", "http://evil.example", "//evil.example/phish",
    "https:evil.example", "javascript:alert(1)", "HTTPS://evil.example",
])
def test_login_ignores_an_absolute_next(app, target):
    response = login_with_next(app, target)
    assert response.status_code == 302 and response.location == "/dashboard"


def stays_on_site(location: str) -> bool:
    """Read as a browser reads Location: tabs and newlines dropped, "\\" taken for "/"."""
    url = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    parts = urlsplit(url)
    return (not url.startswith("//") and parts.scheme in ("", "http")
            and parts.netloc in ("", "localhost"))


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "///evil.example",
                                    "/\\/evil.example"])
def test_login_never_leaves_the_site(app, target):
    response = login_with_next(app, target)
    assert response.status_code == 302 and stays_on_site(response.location)


def test_login_follows_a_relative_next(app):
    response = login_with_next(app, "/cases/?state=investigating")
    assert response.status_code == 302 and response.location == "/cases/?state=investigating"


# -- language ----------------------------------------------------------------------------------
def test_language_switch_to_english(app):
    browser = Browser(fresh_client(app))
    assert '<html lang="zh-CN">' in browser.client.get("/login").get_data(as_text=True)

    response = browser.post("/lang/en", {"next": "/login"}, token_from="/login")
    assert response.status_code == 302 and response.location == "/login"
    assert '<html lang="en">' in browser.client.get("/login").get_data(as_text=True)
    browser.login("linhe_inspector1")  # the choice survives the fresh session of a login
    assert '<html lang="en">' in browser.client.get("/dashboard").get_data(as_text=True)


def test_language_switch_needs_csrf_and_a_known_language(app):
    browser = Browser(fresh_client(app))
    assert browser.client.post("/lang/en", data={"next": "/login"}).status_code == 400
    assert browser.post("/lang/xx", {"next": "/login"}, token_from="/login").status_code == 302
    assert '<html lang="zh-CN">' in browser.client.get("/login").get_data(as_text=True)
