"""The rights holder on a phone: answers an identification request with its opinion and a
file, and the case's clocks resume; then asks for mediation of compensation (issue 5)."""
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from config import TestConfig
from enforcement.cases.models import Case
from enforcement.clocks.models import ClockStatus
from enforcement.extensions import db
from tests.clocks.helpers import clock
from tests.conftest import DEMO_PASSWORD
from tests.notifications.helpers import ask_identification, jpeg_with_exif, today_filed
from tests.notifications.test_holder_portal import PDF

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "holder"


def journey(page: Page, base: str, case_id: int, opinion_pdf: str, shots: Path) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("holder_hetao")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="菜单").click()  # the phone's collapsed navigation
    page.get_by_role("link", name="待办/协助辨认").click()
    expect(page.get_by_role("heading", name="协助辨认/鉴别")).to_be_visible()
    page.screenshot(path=str(shots / "tasks.png"), full_page=True)

    page.locator(f'[data-case-id="{case_id}"]').click()
    expect(page.get_by_text("查获的“河套”面粉 20 袋")).to_be_visible()
    expect(page.get_by_role("img", name="seized.jpg")).to_be_visible()
    page.get_by_label("辨认结论").select_option("counterfeit")
    page.get_by_label("辨认/鉴别意见", exact=True).fill("包装印刷粗糙，非我会许可企业生产。")
    page.get_by_label("辨认/鉴别材料").set_input_files(opinion_pdf)
    page.screenshot(path=str(shots / "identification.png"), full_page=True)
    page.get_by_role("button", name="提交辨认/鉴别意见").click()
    expect(page.get_by_text("辨认/鉴别意见已提交")).to_be_visible()
    expect(page.get_by_text("目前没有待答复的协助辨认/鉴别请求")).to_be_visible()
    page.screenshot(path=str(shots / "answered.png"), full_page=True)

    page.locator(f'[data-mediable="{case_id}"] a').click()
    expect(page.get_by_role("heading", name="申请调解赔偿数额")).to_be_visible()
    page.get_by_label("请求赔偿数额（元）").fill("50000")
    page.get_by_label("事实和理由").fill("侵权人长期销售假冒面粉。")
    page.get_by_role("button", name="提交调解申请").click()
    expect(page.get_by_text("调解申请已提交")).to_be_visible()
    page.screenshot(path=str(shots / "mediation.png"), full_page=True)


def test_holder_answers_an_identification_request_on_a_phone(app, live_server, phone_page,
                                                             tmp_path):
    # the photos go where the live server (TestConfig) reads evidence from
    app.config["STORAGE_DIR"] = TestConfig.STORAGE_DIR
    case_id = today_filed()
    ask_identification(case_id, photos=[("seized.jpg", jpeg_with_exif())])
    db.session.remove()  # no transaction left open beside the live server's
    opinion = tmp_path / "辨认意见书.pdf"
    opinion.write_bytes(PDF)
    SHOTS.mkdir(parents=True, exist_ok=True)

    journey(phone_page, live_server, case_id, str(opinion), SHOTS)

    assert clock(case_id, "decision").status is ClockStatus.running
    events = [e.action for e in db.session.get(Case, case_id).events]
    assert events[-2:] == ["record_identification", "request_mediation"]
