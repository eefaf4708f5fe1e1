"""Two-step verification in Chromium: a bureau head enrols on the first login with a code
computed here from the secret the page shows, logs out, logs in with a code, then with a
recovery code."""
import re
import time

import pytest
from playwright.sync_api import Page, expect

from config import Config
from enforcement.auth import totp
from tests.browser.conftest import serve
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def totp_server(database_url):
    """The app with the production TOTP_REQUIRED_ROLES, on an ephemeral port."""
    yield from serve(SQLALCHEMY_DATABASE_URI=database_url,
                     TOTP_REQUIRED_ROLES=Config.TOTP_REQUIRED_ROLES)


def fresh_code(secret: str, used: set[int]) -> str:
    """The code of the current step, or of the next one if this one was used (each step is
    accepted once)."""
    step = totp.current_step()
    while step in used:
        step += 1
    while step > totp.current_step() + totp.WINDOW:
        time.sleep(0.5)
    used.add(step)
    return totp.code_at(secret, step)


def give_password(page: Page, base: str, username: str):
    page.goto(base + "/login")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def log_out(page: Page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_a_head_enrols_then_logs_in_with_a_code_and_with_a_recovery_code(page: Page,
                                                                          totp_server):
    base, used = totp_server, set()
    give_password(page, base, "linhe_head")
    expect(page).to_have_url(re.compile(r"/account/totp/setup$"))
    expect(page.get_by_role("heading", name="启用两步验证")).to_be_visible()
    expect(page.get_by_text("您的岗位必须使用两步验证")).to_be_visible()
    qr = page.get_by_role("img", name="身份验证器二维码")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # drawn, not fetched
    secret = page.locator("[data-totp-secret]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    # nothing else opens before the enrolment is done
    page.goto(base + "/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.goto(base + "/account/totp/setup")
    assert page.locator("[data-totp-secret]").inner_text().strip() == secret

    page.get_by_label("6位动态验证码").fill(fresh_code(secret, used))
    page.get_by_role("button", name="确认绑定").click()
    expect(page.get_by_text("两步验证已启用")).to_be_visible()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    page.get_by_role("link", name="我已妥善保存，继续").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    log_out(page)

    # with a code
    give_password(page, base, "linhe_head")
    expect(page).to_have_url(re.compile(r"/login/totp$"))
    page.get_by_label("动态验证码或恢复码").fill(fresh_code(secret, used))
    page.get_by_role("button", name="验证并登录").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    log_out(page)

    # with a recovery code, which then is spent
    give_password(page, base, "linhe_head")
    page.get_by_label("动态验证码或恢复码").fill(codes[0])
    page.get_by_role("button", name="验证并登录").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.get_by_role("link", name="两步验证").click()
    expect(page.get_by_text("未使用的恢复码：9 个")).to_be_visible()
    log_out(page)

    give_password(page, base, "linhe_head")
    page.get_by_label("动态验证码或恢复码").fill(codes[0])
    page.get_by_role("button", name="验证并登录").click()
    expect(page.get_by_role("alert")).to_contain_text("动态验证码或恢复码不正确")
    expect(page).to_have_url(re.compile(r"/login/totp$"))
