"""One case from assignment to closing, through the UI, as the people of the 临河区 bureau in
turn: the unit head assigns, the inspectors investigate, the legal reviewer reviews, the head
approves and decides. Each step starts from the user's own queue and is photographed into
test-artifacts/workspace/ (the path is printed), so that a reviewer can see every screen.
"""
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from enforcement.extensions import db
from tests.conftest import DEMO_PASSWORD, case_in_state

pytestmark = pytest.mark.browser

#: one folder per database, so that the SQLite and PostgreSQL runs of CI never mix their walks
ARTIFACTS = (Path(__file__).resolve().parents[2] / "test-artifacts"
             / ("workspace-postgresql" if os.environ.get("TEST_DATABASE_URL") else "workspace"))


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


class Walk:
    """The browser, the case being walked, and the numbered screenshots of the walk."""

    def __init__(self, page: Page, base: str, case_id: int):
        self.page, self.base, self.case_id = page, base, case_id
        self.shots = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()

    def shot(self, name: str) -> None:
        self.shots += 1
        path = ARTIFACTS / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)

    def log_in(self, username: str) -> None:
        page = self.page
        page.context.clear_cookies()
        page.goto(self.base + "/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page).to_have_url(re.compile(r"/dashboard$"))

    def from_queue(self, queue: str, label: str, step: str) -> None:
        """Open the queue from its dashboard count, find the case, take the step it shows."""
        page = self.page
        card = page.locator(f'a[data-queue="{queue}"]')
        count = int(card.locator("[data-queue-count]").inner_text())
        assert count >= 1, f"{queue}: empty queue"
        card.click()
        expect(page.get_by_role("heading", name=re.compile(label))).to_be_visible()
        expect(page.get_by_text(f"共 {count} 件")).to_be_visible()
        row = page.locator(f'li[data-case-id="{self.case_id}"]')
        expect(row).to_be_visible()
        self.shot(f"{queue}-queue")
        row.get_by_role("link", name=step, exact=True).click()
        expect(page.get_by_role("heading", name=step, exact=True)).to_be_visible()

    def open_case(self) -> None:
        self.page.goto(f"{self.base}/cases/{self.case_id}")

    def action(self, label: str, fields: dict, shot: str) -> None:
        """Fill the open action form (or open it from the case page) and confirm it."""
        page = self.page
        if not page.get_by_role("heading", name=label, exact=True).is_visible():
            section(page, "可进行的操作").get_by_role("link", name=label, exact=True).click()
            expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()
        for name, value in fields.items():
            fill(page, name, value)
        self.shot(f"{shot}-form")
        page.get_by_role("button", name=f"确认：{label}").click()
        expect(page.get_by_role("alert").first).to_contain_text(f"已完成：{label}")
        expect(page).to_have_url(re.compile(rf"/cases/{self.case_id}$"))
        self.shot(shot)

    def state(self) -> str:
        return self.page.locator('[data-field="state"]').inner_text()


def section(page: Page, heading: str):
    return page.locator("section").filter(
        has=page.get_by_role("heading", name=heading, exact=True))


def fill(page: Page, label: str, value) -> None:
    if value is True:
        page.get_by_label(label, exact=True).check()
    elif isinstance(value, list):  # checkboxes of a users field
        for option in value:
            page.get_by_label(option, exact=False).check()
    elif isinstance(value, tuple):  # ("option", text): the option whose label contains text
        field = page.get_by_label(label, exact=True)
        option = field.locator("option").filter(has_text=value[1]).first
        field.select_option(value=option.get_attribute("value"))
    else:
        page.get_by_label(label, exact=True).fill(value)


def serve(walk: Walk, document: str, shot: str) -> None:
    walk.action("记录送达", {"送达文书": ("option", document), "送达方式": ("option", "直接送达"),
                             "送达日期": today(), "受送达人": "临河区某粮油店经营者王某"}, shot)


def test_a_case_from_assignment_to_closing_through_the_queues(live_server, app, page):
    case = case_in_state("registered")
    case_id, report_no = case.id, case.report_no
    db.session.remove()
    walk = Walk(page, live_server, case_id)

    # 办案机构负责人: the new report waits in 待指派; two credentialed inspectors
    walk.log_in("linhe_unit_head")
    walk.shot("unit-head-dashboard")
    walk.from_queue("assign", "待指派", "指派办案人员")
    walk.action("指派办案人员", {"办案人员": ["郑执法", "孙执法"]}, "assigned")
    assert walk.state() == "核查中"

    # 执法人员: the case is now in 我承办的案件, with its verification clock
    walk.log_in("linhe_inspector1")
    walk.from_queue("deadlines", "我承办的案件", "提出立案建议")
    walk.action("提出立案建议", {
        "案由": "涉嫌销售假冒“河套”注册商标的面粉",
        "核查情况": "经现场核查，店内陈列假冒“河套”雪花粉二十袋。",
        "建议": ("option", "立案"),
        "建议理由": "涉嫌违反《商标法》第五十七条第（三）项，符合立案条件。"}, "filing-proposed")

    # 行政机关负责人: 待审批 → 批准立案, which numbers the case
    walk.log_in("linhe_head")
    walk.from_queue("approvals", "待审批", "批准立案")
    walk.action("批准立案", {"审批意见": "同意立案。"}, "filed")
    assert walk.state() == "调查取证"
    case_no = walk.page.locator('[data-field="case_no"]').inner_text()
    assert "〔" in case_no

    # 执法人员: on-site record, then the investigation report
    walk.log_in("linhe_inspector1")
    walk.open_case()
    walk.action("制作现场笔录", {"检查地点": "临河区某粮油店", "检查日期": today(),
                                "现场情况": "店内货架陈列假冒“河套”雪花粉二十袋，已拍照取证。"},
                "inspection-recorded")
    walk.action("调查终结", {
        "调查认定的事实": "当事人销售假冒“河套”注册商标的面粉二十袋，事实清楚，证据确凿。",
        "处理建议": ("option", "给予行政处罚"), "拟罚款（元）": "20000",
        "拟处罚内容": "没收侵权商品，罚款人民币贰万元。"}, "investigation-finished")
    assert walk.state() == "审核中"

    # 法制审核人员: 待审核 → 审核通过并告知 (the penalty notice with hearing rights)
    walk.log_in("linhe_reviewer")
    walk.from_queue("review", "待审核", "审核通过并告知")
    walk.action("审核通过并告知", {"审核意见": "事实清楚，证据确凿，适用法律正确。",
                                  "告知听证权利": True}, "reviewed")
    assert walk.state() == "已告知"

    # the other inspector serves the notice and records the party's written waiver
    walk.log_in("linhe_inspector2")
    walk.open_case()
    serve(walk, "行政处罚告知书", "notice-served")
    walk.action("记录陈述申辩", {"类型": ("option", "书面放弃"),
                               "内容": "当事人书面表示放弃陈述、申辩和听证。"}, "waiver-recorded")
    walk.action("提请作出决定", {}, "submitted-for-decision")
    assert walk.state() == "待决定"

    # 行政机关负责人: 待审批 → 作出行政处罚决定
    walk.log_in("linhe_head")
    walk.from_queue("approvals", "待审批", "作出行政处罚决定")
    walk.action("作出行政处罚决定", {
        "违法事实": "当事人销售假冒“河套”注册商标的面粉二十袋。",
        "法律依据": "《中华人民共和国商标法》第五十七条第（三）项、第六十条第二款",
        "罚款（元）": "20000", "没收、销毁的侵权商品和工具": "没收假冒“河套”雪花粉二十袋",
        "责令立即停止侵权行为": True}, "decided")
    assert walk.state() == "已作出决定"

    walk.log_in("linhe_inspector1")
    walk.open_case()
    serve(walk, "行政处罚决定书", "decision-served")

    walk.log_in("linhe_head")
    walk.from_queue("approvals", "待审批", "公示处罚信息")
    walk.action("公示处罚信息", {}, "published")
    assert walk.state() == "已公示"

    walk.log_in("linhe_inspector1")
    walk.open_case()
    walk.action("登记缴款", {"缴款金额（元）": "20000", "缴款日期": today(),
                            "银行缴款凭证号": "NS-2026-0001"}, "paid")

    # every obligation met: the closing clock runs and the case waits in 待审批 for 结案
    walk.log_in("linhe_head")
    walk.from_queue("approvals", "待审批", "结案")
    walk.action("结案", {"结案报告": "罚没款已缴清，处罚决定执行完毕，予以结案。"}, "closed")
    assert walk.state() == "已结案"

    documents = section(walk.page, "文书")
    for title in ("立案审批表", "现场笔录", "案件调查终结报告", "行政处罚告知书",
                  "行政处罚决定书", "送达回证", "结案审批表"):
        expect(documents).to_contain_text(title)
    timeline = section(walk.page, "办案记录").get_by_role("listitem")
    expect(timeline.first).to_contain_text("结案")
    assert timeline.count() >= 14
    assert report_no in walk.page.content()
    print(f"\nworkspace walk: {walk.shots} screenshots in {ARTIFACTS}")
    assert len(list(ARTIFACTS.glob("*.png"))) == walk.shots >= 25
