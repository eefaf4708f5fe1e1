"""Two-step verification (两步验证) of staff: a password alone never logs a TOTP user in; wrong
and replayed codes are refused and counted to the lock-out; recovery codes work once; the roles
of TOTP_REQUIRED_ROLES enrol on their first login, others are not asked; a half-done login
expires; an administrator's reset forces a new enrolment. TestConfig turns the requirement
off; these tests turn it on with the production default."""
import re
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from config import Config
from enforcement.audit.models import AuditEntry
from enforcement.auth import totp
from enforcement.auth.models import RecoveryCode, UserTotp
from enforcement.extensions import db
from tests.conftest import DEMO_PASSWORD, Browser, case_in_state, user
from tests.web import fresh_client, logged_in

WRONG_CODE = "动态验证码或恢复码不正确"
LOCKED = "登录失败次数过多"
SECRET_RE = re.compile(r"data-totp-secret>([A-Z2-7]+)<")
RECOVERY_RE = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>")


@pytest.fixture(autouse=True)
def totp_required(app):
    """The production default: heads, police, procuratorates, courts, admin and auditor."""
    app.config["TOTP_REQUIRED_ROLES"] = Config.TOTP_REQUIRED_ROLES
    assert {"bureau_head", "police", "court", "admin"} <= set(Config.TOTP_REQUIRED_ROLES)


class Phone:
    """An authenticator app: the code of the current time step, or of the next one when the
    current one was used already (a person waits for the code to change)."""

    def __init__(self, secret: str, last_step: int | None = None):
        self.secret, self.last_step = secret, last_step

    def code(self) -> str:
        step = totp.current_step()
        if self.last_step is not None and step <= self.last_step:
            step = self.last_step + 1
            while step > totp.current_step() + totp.WINDOW:  # never more than one step ahead
                time.sleep(0.5)
        self.last_step = step
        return totp.code_at(self.secret, step)

    def wrong_code(self) -> str:
        valid = {totp.code_at(self.secret, totp.current_step() + d) for d in (-1, 0, 1)}
        return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def enrol(username: str) -> tuple[Phone, list[str]]:
    """Enrol a user through the service, as the setup page does; the phone and the codes."""
    me = user(username)
    secret = totp.begin_enrolment(me).secret
    step = totp.current_step()
    codes = totp.confirm_enrolment(me, totp.code_at(secret, step))
    assert codes is not None
    return Phone(secret, step), codes


def audit_rows(action: str, username: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.actor_id == user(username).id)
        .order_by(AuditEntry.seq)))


def path_of(response) -> str:
    assert response.status_code == 302, response.status_code
    return urlsplit(response.location).path


def send_code(browser: Browser, code: str):
    return browser.post("/login/totp", {"code": code})


def refused_to_anonymous(client, path: str) -> bool:
    response = client.get(path)
    return response.status_code == 302 and path_of(response) == "/login"


# -- the algorithm ---------------------------------------------------------------------------
def test_codes_are_rfc_6238_sha1_six_digits_thirty_seconds():
    # RFC 6238 appendix B, SHA-1 key "12345678901234567890": 94287082 at T=59, 07081804 at
    # T=1111111109 (8 digits; the last six are the 6-digit code)
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp.code_at(secret, 59 // 30) == "287082"
    assert totp.code_at(secret, 1111111109 // 30) == "081804"


# -- password alone ----------------------------------------------------------------------
def test_a_password_alone_never_logs_a_totp_user_in(app):
    phone, _codes = enrol("linhe_head")
    case_id = case_in_state("filing_review").id
    browser = Browser(fresh_client(app))

    response = browser.login("linhe_head")
    assert path_of(response) == "/login/totp"
    page = browser.client.get("/login/totp").get_data(as_text=True)
    assert "两步验证" in page and 'name="csrf_token"' in page
    for path in ("/dashboard", "/cases/", f"/cases/{case_id}", "/account/totp", "/audit/"):
        assert refused_to_anonymous(browser.client, path), path
    api = browser.client.get("/api/v1/cases")  # the pending cookie is no API credential
    assert api.status_code == 401
    assert audit_rows("auth.login", "linhe_head") == []
    assert [r.detail["step"] for r in audit_rows("auth.totp_pending", "linhe_head")] == ["code"]

    response = send_code(browser, phone.code())
    assert path_of(response) == "/dashboard"
    assert browser.client.get(f"/cases/{case_id}").status_code == 200
    assert [r.detail.get("second_factor") for r in audit_rows("auth.login", "linhe_head")] \
        == ["totp"]


def test_the_next_page_is_kept_through_the_code_step(app):
    phone, _codes = enrol("linhe_head")
    browser = Browser(fresh_client(app))
    token = browser.csrf("/login")
    response = browser.client.post("/login?next=/cases/", data={
        "csrf_token": token, "username": "linhe_head", "password": DEMO_PASSWORD})
    assert path_of(response) == "/login/totp"
    assert path_of(send_code(browser, phone.code())) == "/cases/"


def test_the_api_wants_the_code_of_a_totp_user(app):
    phone, _codes = enrol("police_linhe")
    client = fresh_client(app)
    body = {"username": "police_linhe", "password": DEMO_PASSWORD}

    missing = client.post("/api/v1/auth/token", json=body)
    assert missing.status_code == 401
    assert missing.get_json()["error"]["code"] == "totp_required"
    assert "totp" in missing.get_json()["error"]["message"]
    wrong = client.post("/api/v1/auth/token", json={**body, "totp": phone.wrong_code()})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "totp_failed"
    assert user("police_linhe").failed_logins == 1

    good = client.post("/api/v1/auth/token", json={**body, "totp": phone.code()})
    assert good.status_code == 200, good.get_json()
    headers = {"Authorization": f"Bearer {good.get_json()['token']}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert user("police_linhe").failed_logins == 0


def test_the_api_sends_a_required_user_without_enrolment_to_the_web(app):
    response = fresh_client(app).post("/api/v1/auth/token", json={
        "username": "court_linhe", "password": DEMO_PASSWORD, "totp": "123456"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "totp_enrolment_required"


# -- wrong and replayed codes --------------------------------------------------------------
def test_wrong_codes_are_refused_and_lock_the_account(app):
    phone, _codes = enrol("linhe_head")
    browser = Browser(fresh_client(app))
    browser.login("linhe_head")
    first = [send_code(browser, phone.wrong_code()).get_data(as_text=True) for _i in range(2)]
    assert all(WRONG_CODE in html for html in first)
    # the right password again does not wipe the failed codes
    assert path_of(browser.login("linhe_head")) == "/login/totp"
    assert user("linhe_head").failed_logins == 2
    more = [send_code(browser, phone.wrong_code()) for _i in range(3)]
    assert all(WRONG_CODE in r.get_data(as_text=True) for r in more[:2])
    assert path_of(more[2]) == "/login"
    assert LOCKED in browser.client.get("/login").get_data(as_text=True)

    # locked: neither the password nor then the right code get in
    response = browser.login("linhe_head")
    assert response.status_code == 200 and LOCKED in response.get_data(as_text=True)
    assert refused_to_anonymous(browser.client, "/login/totp")
    assert refused_to_anonymous(browser.client, "/dashboard")
    assert len(audit_rows("auth.totp_failed", "linhe_head")) == 5
    assert len(audit_rows("auth.locked", "linhe_head")) == 1
    assert audit_rows("auth.login", "linhe_head") == []


def test_a_locked_account_is_refused_even_with_the_right_code(app):
    phone, _codes = enrol("linhe_head")
    browser = Browser(fresh_client(app))
    browser.login("linhe_head")
    me = user("linhe_head")
    me.failed_logins = 4
    db.session.commit()
    send_code(browser, phone.wrong_code())  # the fifth failure locks
    assert user("linhe_head").locked_until is not None
    with pytest.raises(totp.SecondFactorFailed) as refused:
        totp.verify_code(user("linhe_head"), phone.code())
    assert refused.value.locked


def test_a_code_is_accepted_once_only(app):
    phone, _codes = enrol("linhe_head")
    code = phone.code()
    browser = Browser(fresh_client(app))
    browser.login("linhe_head")
    assert path_of(send_code(browser, code)) == "/dashboard"
    browser.logout()

    browser.login("linhe_head")
    replay = send_code(browser, code)
    assert replay.status_code == 200 and WRONG_CODE in replay.get_data(as_text=True)
    assert refused_to_anonymous(browser.client, "/dashboard")
    assert [r.detail["reason"] for r in audit_rows("auth.totp_failed", "linhe_head")] \
        == ["replayed"]
    assert user("linhe_head").failed_logins == 1
    # nor through the API
    response = fresh_client(app).post("/api/v1/auth/token", json={
        "username": "linhe_head", "password": DEMO_PASSWORD, "totp": code})
    assert response.status_code == 401
    # the next code does get in
    assert path_of(send_code(browser, phone.code())) == "/dashboard"


# -- recovery codes ------------------------------------------------------------------------
def test_a_recovery_code_works_once(app):
    _phone, codes = enrol("linhe_head")
    assert len(codes) == len(set(codes)) == 10
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user("linhe_head").id)))
    assert len(stored) == 10 and not stored & set(codes)  # only hashes are kept

    browser = Browser(fresh_client(app))
    browser.login("linhe_head")
    assert path_of(send_code(browser, codes[0])) == "/dashboard"
    browser.logout()
    browser.login("linhe_head")
    again = send_code(browser, codes[0])
    assert again.status_code == 200 and WRONG_CODE in again.get_data(as_text=True)
    # another one, typed in capitals and without dashes, works
    assert path_of(send_code(browser, codes[1].replace("-", "").upper())) == "/dashboard"

    used = audit_rows("auth.recovery_code_used", "linhe_head")
    assert [r.detail["remaining"] for r in used] == [9, 8]
    assert [r.detail.get("second_factor") for r in audit_rows("auth.login", "linhe_head")] \
        == ["recovery_code", "recovery_code"]


def test_regenerated_recovery_codes_replace_the_old_ones(app):
    phone, old = enrol("linhe_unit_head")
    browser = logged_in_with_code(app, "linhe_unit_head", phone)
    page = browser.post("/account/totp/recovery-codes", {"code": phone.code()},
                        token_from="/account/totp").get_data(as_text=True)
    new = RECOVERY_RE.findall(page)
    assert len(new) == 10 and not set(new) & set(old)
    assert len(audit_rows("auth.recovery_codes_regenerated", "linhe_unit_head")) == 1
    with pytest.raises(totp.SecondFactorFailed):
        totp.verify_code(user("linhe_unit_head"), old[0])
    assert totp.verify_code(user("linhe_unit_head"), new[0]) == "recovery_code"


def logged_in_with_code(app, username: str, phone: Phone) -> Browser:
    browser = Browser(fresh_client(app))
    assert path_of(browser.login(username)) == "/login/totp"
    assert path_of(send_code(browser, phone.code())) == "/dashboard"
    return browser


# -- who is asked --------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["linhe_head", "city_head", "police_linhe",
                                      "procurator_city", "court_linhe", "admin", "auditor"])
def test_required_roles_enrol_on_their_first_login(app, username):
    browser = Browser(fresh_client(app))
    assert path_of(browser.login(username)) == "/account/totp/setup"
    assert refused_to_anonymous(browser.client, "/dashboard")
    assert [r.detail["step"] for r in audit_rows("auth.totp_pending", username)] \
        == ["enrolment"]


def test_forced_enrolment_shows_a_secret_and_qr_then_recovery_codes_then_logs_in(app):
    browser = Browser(fresh_client(app))
    browser.login("city_head")
    page = browser.client.get("/account/totp/setup").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1)
    assert len(secret) == 32  # 160 bits
    assert 'src="data:image/svg+xml' in page and "必须使用两步验证" in page
    # reloading shows the same secret (a code already scanned stays valid)
    assert secret in browser.client.get("/account/totp/setup").get_data(as_text=True)
    phone = Phone(secret)

    wrong = browser.post("/account/totp/setup", {"code": phone.wrong_code()})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.get_data(as_text=True)
    assert refused_to_anonymous(browser.client, "/dashboard")

    done = browser.post("/account/totp/setup", {"code": phone.code()})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "两步验证已启用" in html
    assert len(set(RECOVERY_RE.findall(html))) == 10
    assert browser.client.get("/dashboard").status_code == 200  # logged in now
    enrolled = audit_rows("auth.totp_enrolled", "city_head")
    assert len(enrolled) == 1 and enrolled[0].detail["required"] is True
    assert db.session.get(UserTotp, user("city_head").id).confirmed_at is not None

    # from now on the code is asked for, the enrolment code itself no more
    browser.logout()
    browser.login("city_head")
    replay = send_code(browser, totp.code_at(secret, phone.last_step))
    assert replay.status_code == 200 and WRONG_CODE in replay.get_data(as_text=True)
    assert path_of(send_code(browser, phone.code())) == "/dashboard"


@pytest.mark.parametrize("username", ["linhe_inspector1", "linhe_unit_head", "linhe_reviewer",
                                      "supervisor", "station_linhe", "holder_hetao"])
def test_other_roles_are_not_asked(app, username):
    browser = Browser(fresh_client(app))
    response = browser.login(username)
    assert response.status_code == 302 and path_of(response) not in (
        "/login/totp", "/account/totp/setup", "/login")
    assert browser.client.get("/dashboard", follow_redirects=True).status_code == 200
    token = fresh_client(app).post("/api/v1/auth/token",
                                   json={"username": username, "password": DEMO_PASSWORD})
    assert token.status_code == 200


def test_any_staff_user_may_enrol_and_is_then_always_asked(app):
    browser = logged_in(app, "linhe_inspector1")
    account = browser.client.get("/account/totp").get_data(as_text=True)
    assert "两步验证尚未启用" in account
    secret = SECRET_RE.search(browser.client.get("/account/totp/setup")
                              .get_data(as_text=True)).group(1)
    phone = Phone(secret)
    done = browser.post("/account/totp/setup", {"code": phone.code()})
    assert len(RECOVERY_RE.findall(done.get_data(as_text=True))) == 10
    browser.logout()

    again = Browser(fresh_client(app))
    assert path_of(again.login("linhe_inspector1")) == "/login/totp"
    assert path_of(send_code(again, phone.code())) == "/dashboard"

    # a voluntary user may turn it off again (with a code); then the password is enough
    response = again.post("/account/totp/disable", {"code": phone.code()},
                          token_from="/account/totp")
    assert path_of(response) == "/account/totp"
    assert len(audit_rows("auth.totp_disabled", "linhe_inspector1")) == 1
    assert path_of(Browser(fresh_client(app)).login("linhe_inspector1")) == "/dashboard"


def test_a_required_role_cannot_turn_it_off(app):
    phone, _codes = enrol("linhe_head")
    browser = logged_in_with_code(app, "linhe_head", phone)
    browser.post("/account/totp/disable", {"code": phone.code()}, token_from="/account/totp")
    assert "不能停用" in browser.client.get("/account/totp").get_data(as_text=True)
    assert totp.is_enrolled(user("linhe_head"))


def test_rights_holders_have_no_second_factor_pages(app):
    browser = logged_in(app, "holder_hetao")
    assert browser.client.get("/account/totp").status_code == 403
    assert browser.client.get("/account/totp/setup").status_code == 403


# -- the pending login ---------------------------------------------------------------------
def test_the_pending_login_expires_after_five_minutes(app):
    phone, _codes = enrol("linhe_head")
    browser = Browser(fresh_client(app))
    browser.login("linhe_head")
    token = browser.csrf("/login/totp")
    with browser.client.session_transaction() as session:
        marker = session["_totp_pending"]
        session["_totp_pending"] = {**marker, "at": marker["at"] - totp.PENDING_SECONDS - 1}
    response = browser.client.post("/login/totp", data={"csrf_token": token,
                                                         "code": phone.code()})
    assert path_of(response) == "/login"
    assert "登录验证已超时" in browser.client.get("/login").get_data(as_text=True)
    assert refused_to_anonymous(browser.client, "/dashboard")
    assert audit_rows("auth.login", "linhe_head") == []
    assert path_of(browser.client.get("/login/totp")) == "/login"  # and stays gone


def test_without_a_password_there_is_no_code_page(app):
    client = fresh_client(app)
    assert path_of(client.get("/login/totp")) == "/login"
    assert path_of(client.get("/account/totp/setup")) == "/login"


# -- administrator's reset -----------------------------------------------------------------
def test_an_administrators_reset_forces_a_new_enrolment(app, runner):
    phone, _codes = enrol("linhe_head")
    browser = logged_in_with_code(app, "linhe_head", phone)
    assert browser.client.get("/cases/").status_code == 200

    db.session.rollback()
    result = runner.invoke(args=["users", "totp-reset", "linhe_head"])
    assert result.exit_code == 0, result.output
    assert "reset" in result.output

    assert refused_to_anonymous(browser.client, "/cases/")  # its sessions are revoked
    assert db.session.get(UserTotp, user("linhe_head").id) is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user("linhe_head").id)) == 0
    reset = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "auth.totp_reset")).all()
    assert [r.object_id for r in reset] == [str(user("linhe_head").id)]
    assert [r.detail["reason"] for r in audit_rows("auth.sessions_revoked", "linhe_head")] \
        == ["totp_reset"]

    again = Browser(fresh_client(app))
    assert path_of(again.login("linhe_head")) == "/account/totp/setup"
    new_secret = SECRET_RE.search(again.client.get("/account/totp/setup")
                                  .get_data(as_text=True)).group(1)
    assert new_secret != phone.secret
    assert runner.invoke(args=["users", "totp-reset", "nobody"]).exit_code != 0
