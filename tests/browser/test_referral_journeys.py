"""The receivers in Chromium: the police sign for a transfer, download its packet and open a
criminal case; the court accepts an enforcement application and rules; the bureau sees both
answers on its case (issue 7)."""
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from enforcement.cases.models import Case
from enforcement.extensions import db
from enforcement.referrals.models import CourtRuling, ReferralKind
from tests.conftest import DEMO_PASSWORD, case_in_state
from tests.referrals.helpers import referral
from workflows.states import CaseState

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "referrals"


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()


def police_journey(page: Page, base: str, referral_id: int, tmp: Path) -> None:
    login(page, base, "police_linhe")
    # the police land on their inbox: the new transfer waits there with its 24-hour clock
    expect(page.get_by_role("heading", name="移送案件")).to_be_visible()
    item = page.locator(f'[data-referral="{referral_id}"]')
    expect(item).to_contain_text("待签收")
    expect(item.locator('[data-clock="transfer_delivery"]')).to_be_visible()
    page.screenshot(path=str(SHOTS / "police-inbox.png"), full_page=True)

    item.get_by_role("link", name="办理").click()
    page.get_by_role("link", name="签收移送案件", exact=True).click()
    page.get_by_label("回执说明").fill("已收到移送书、调查报告和涉案物品清单。")
    page.get_by_role("button", name="确认：签收移送案件").click()
    expect(page.get_by_text("已完成：签收移送案件")).to_be_visible()
    expect(page.locator('[data-field="status"]')).to_have_text("待决定是否立案")
    expect(page.locator('[data-clock="police_decision"]')).to_be_visible()
    page.screenshot(path=str(SHOTS / "police-signed.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载卷宗包（ZIP）").click()
    packet = tmp / "packet.zip"
    download.value.save_as(packet)
    with zipfile.ZipFile(packet) as archive:
        names = archive.namelist()
    assert "manifest.json" in names and "manifest.sig" in names
    page.reload()
    expect(page.locator('[data-list="downloads"]')).to_contain_text("临河分局经侦")

    page.get_by_role("link", name="决定立案", exact=True).click()
    page.get_by_label("公安机关立案编号").fill("临公经立字〔2026〕31号")
    page.get_by_role("button", name="确认：决定立案").click()
    expect(page.locator('[data-field="status"]')).to_have_text("已立案")
    expect(page.locator('[data-field="accepted"]')).to_contain_text("临公经立字〔2026〕31号")
    page.screenshot(path=str(SHOTS / "police-accepted.png"), full_page=True)
    logout(page)


def court_journey(page: Page, base: str, referral_id: int) -> None:
    login(page, base, "court_linhe")
    expect(page.get_by_role("heading", name="强制执行申请")).to_be_visible()
    item = page.locator(f'[data-referral="{referral_id}"]')
    expect(item).to_contain_text("待受理")
    page.screenshot(path=str(SHOTS / "court-inbox.png"), full_page=True)
    item.get_by_role("link", name="办理").click()
    page.get_by_role("link", name="受理强制执行申请", exact=True).click()
    page.get_by_label("法院案号").fill("（2026）内0802执41号")
    page.get_by_label("听取被执行人和行政机关的意见").check()
    page.get_by_role("button", name="确认：受理强制执行申请").click()
    expect(page.locator('[data-clock="court_ruling_hearing"]')).to_be_visible()
    page.get_by_role("link", name="作出执行裁定", exact=True).click()
    page.get_by_label("裁定").select_option("enforce")
    page.get_by_label("理由").fill("行政处罚决定认定事实清楚，适用法律正确，准予强制执行。")
    page.get_by_role("button", name="确认：作出执行裁定").click()
    expect(page.locator('[data-field="ruling"]')).to_contain_text("准予执行")
    page.screenshot(path=str(SHOTS / "court-ruled.png"), full_page=True)
    logout(page)


def test_police_and_court_journeys(app, live_server, page, tmp_path):
    transfer = case_in_state("referred").id
    police_referral = referral(transfer).id
    application = case_in_state("court_enforcement").id
    court_referral = referral(application, ReferralKind.court).id
    db.session.remove()  # no transaction left open beside the live server's
    SHOTS.mkdir(parents=True, exist_ok=True)

    police_journey(page, live_server, police_referral, tmp_path)
    court_journey(page, live_server, court_referral)

    # the procuratorate follows every transfer of its area, with the police's reasons
    login(page, live_server, "procurator_city")
    expect(page.get_by_role("heading", name="移送案件监督")).to_be_visible()
    page.get_by_role("link", name="全部").click()
    expect(page.locator(f'[data-referral="{police_referral}"]')).to_contain_text("已立案")
    expect(page.locator('[data-status="declined"] [data-field="decline_reasons"]').first) \
        .to_contain_text("不予立案理由")
    page.screenshot(path=str(SHOTS / "procuratorate-inbox.png"), full_page=True)
    logout(page)

    # the bureau sees both answers on its cases
    login(page, live_server, "linhe_head")
    page.goto(f"{live_server}/cases/{transfer}")
    card = page.locator('[data-section="referrals"]')
    expect(card).to_contain_text("已立案")
    expect(card).to_contain_text("临公经立字〔2026〕31号")
    page.screenshot(path=str(SHOTS / "bureau-transfer.png"), full_page=True)
    page.goto(f"{live_server}/cases/{application}")
    expect(page.locator('[data-section="referrals"] [data-field="ruling"]')).to_contain_text(
        "准予执行")
    page.screenshot(path=str(SHOTS / "bureau-ruling.png"), full_page=True)

    assert db.session.get(Case, transfer).state is CaseState.police_filed
    assert referral(application, ReferralKind.court).ruling is CourtRuling.enforce
