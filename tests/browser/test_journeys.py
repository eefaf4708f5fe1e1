"""What users do in the browser: log in, find a case, take actions, switch language, use a phone.

Every test runs against its own copy of the seeded demo database (see conftest.py), served on
an ephemeral port and driven by headless Chromium.
"""
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from enforcement.extensions import db
from tests.conftest import DEMO_PASSWORD, case_in_state

pytestmark = pytest.mark.browser

STAGES = ["举报", "立案", "调查", "处罚", "公示", "移送"]
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


@dataclass(frozen=True)
class DemoCase:
    id: int
    report_no: str
    number: str
    cause: str


def demo_case(state: str) -> DemoCase:
    """The 临河区 demo case in ``state``, read before the browser starts working on it."""
    case = case_in_state(state)
    assert case is not None, f"the demo has no 临河区 case in {state}"
    found = DemoCase(case.id, case.report_no, case.number, case.cause)
    db.session.remove()  # no transaction left open beside the live server's
    return found


def today_in_china() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def log_in(page: Page, base: str, username: str):
    # the site's root is the public portal; staff follow its 登录 link
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="商标侵权举报与查询")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def section(page: Page, heading: str):
    """The card whose heading is ``heading``."""
    return page.locator("section").filter(
        has=page.get_by_role("heading", name=heading, exact=True))


def assert_no_sideways_scrolling(page: Page):
    # a mobile browser widens the layout viewport to fit content that is too wide, so the
    # page is also measured against the device width, not only against window.innerWidth;
    # measured once the stylesheets are in (a page just navigated to may still be without)
    page.wait_for_load_state("load")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    device = page.viewport_size["width"]
    assert scroll <= inner and inner <= device, \
        f"the page scrolls sideways: content {scroll}px, window {inner}px, device {device}px"


def stage_bar(page: Page):
    return page.get_by_label("办案阶段")


def test_newcomer_finds_a_case_and_records_an_inspection(live_server, app, page):
    case = demo_case("investigating")
    log_in(page, live_server, "linhe_inspector1")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.get_by_role("heading", name="我承办的案件")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="案件", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^案件"))).to_be_visible()
    page.get_by_role("searchbox", name="搜索").fill(case.report_no)
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"q=" + case.report_no))
    expect(page.get_by_text("共 1 件")).to_be_visible()
    page.get_by_role("link", name=case.number, exact=True).click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.id}$"))
    expect(page.get_by_role("heading", name=case.cause)).to_be_visible()
    stages = stage_bar(page)
    expect(stages.locator(":scope > *")).to_have_text(STAGES)
    expect(stages.locator("[aria-current=step]")).to_have_text("调查")
    expect(section(page, "办案记录").get_by_role("listitem").first).to_contain_text("批准立案")
    actions = section(page, "可进行的操作")
    for label in ("制作现场笔录", "制作询问笔录", "调查终结"):
        expect(actions.get_by_role("link", name=label, exact=True)).to_be_visible()

    actions.get_by_role("link", name="制作现场笔录", exact=True).click()
    expect(page.get_by_role("heading", name="制作现场笔录")).to_be_visible()
    page.get_by_label("检查地点").fill("临河区某烟酒商行仓库")
    page.get_by_label("检查日期").fill(today_in_china())
    page.get_by_label("现场情况").fill("仓库内查见涉嫌假冒“河套王”白酒十二箱，已拍照固定。")
    page.get_by_role("button", name="确认：制作现场笔录").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.id}$"))
    expect(page.get_by_role("alert")).to_contain_text("已完成：制作现场笔录")
    newest = section(page, "办案记录").get_by_role("listitem").first
    expect(newest).to_contain_text("制作现场笔录")
    expect(newest).to_contain_text("郑执法")
    expect(newest).to_contain_text("仓库内查见涉嫌假冒“河套王”白酒十二箱")
    expect(section(page, "文书")).to_contain_text("现场笔录")


def test_a_form_error_is_shown_in_chinese_and_keeps_what_was_typed(live_server, app, page):
    case = demo_case("investigating")
    log_in(page, live_server, "linhe_inspector1")
    page.goto(f"{live_server}/cases/{case.id}")
    section(page, "可进行的操作").get_by_role("link", name="制作现场笔录", exact=True).click()
    page.get_by_label("检查地点").fill("临河区胜利路6号")
    page.get_by_label("检查日期").fill(today_in_china())
    page.get_by_role("button", name="确认：制作现场笔录").click()  # 现场情况 left empty

    expect(page.get_by_role("alert")).to_have_text("提交的内容有误，请按提示修改")
    expect(page.get_by_text("该字段是必填字段。")).to_have_count(1)
    expect(page.get_by_label("现场情况")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_label("检查地点")).to_have_value("临河区胜利路6号")
    expect(page.get_by_label("检查地点")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_label("检查日期")).to_have_value(today_in_china())

    # nothing was recorded
    page.get_by_role("link", name="取消").click()
    expect(section(page, "办案记录")).not_to_contain_text("制作现场笔录")


def test_unit_head_assigns_two_inspectors(live_server, app, page):
    case = demo_case("registered")
    log_in(page, live_server, "linhe_unit_head")
    page.goto(f"{live_server}/cases/{case.id}")
    expect(stage_bar(page).locator("[aria-current=step]")).to_have_text("举报")
    section(page, "可进行的操作").get_by_role("link", name="指派办案人员", exact=True).click()

    expect(page.get_by_role("heading", name="指派办案人员")).to_be_visible()
    page.get_by_label("郑执法（15080200011）").check()
    page.get_by_label("孙执法（15080200012）").check()
    page.get_by_role("button", name="确认：指派办案人员").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.id}$"))
    expect(page.get_by_role("alert")).to_contain_text("已完成：指派办案人员")
    expect(page.get_by_text("核查中", exact=True)).to_be_visible()
    facts = section(page, "案件情况")
    expect(facts).to_contain_text("郑执法（15080200011）")
    expect(facts).to_contain_text("孙执法（15080200012）")
    newest = section(page, "办案记录").get_by_role("listitem").first
    expect(newest).to_contain_text("已登记 → 核查中")


def test_switching_to_english_changes_the_navbar(live_server, page):
    log_in(page, live_server, "linhe_inspector1")
    navbar = page.get_by_role("navigation")
    expect(navbar.get_by_role("link", name="工作台")).to_be_visible()

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    expect(navbar.get_by_role("link", name="工作台")).to_have_count(0)
    labels = navbar.get_by_role("link").all_inner_texts() + \
        navbar.get_by_role("button").all_inner_texts()
    assert len(labels) >= 5, labels  # brand, three sections, log out
    chinese = [label for label in labels if CJK.search(label)]
    assert chinese == [], f"navbar still in Chinese: {chinese}"

    page.get_by_role("button", name="简体中文").click()
    expect(navbar.get_by_role("link", name="工作台")).to_be_visible()


def test_the_case_page_is_usable_on_a_phone(live_server, app, phone_page):
    page = phone_page
    case = demo_case("investigating")
    log_in(page, live_server, "linhe_inspector1")
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_role("heading", name=case.cause)).to_be_visible()

    assert_no_sideways_scrolling(page)
    expect(stage_bar(page).locator("[aria-current=step]")).to_be_visible()
    viewport = page.viewport_size
    for label in ("制作现场笔录", "调查终结"):
        button = section(page, "可进行的操作").get_by_role("link", name=label, exact=True)
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport(ratio=1)
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
        assert box["height"] >= 32, f"{label} is too small to tap: {box}"

    # the menu opens behind the toggler
    page.get_by_role("button", name="菜单").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="案件", exact=True)) \
        .to_be_visible()

    # and the longer English labels fit too
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_no_sideways_scrolling(page)


def test_the_workflow_page_shows_the_picture(live_server, page):
    log_in(page, live_server, "linhe_inspector1")
    page.get_by_role("navigation").get_by_role("link", name="办案流程").click()
    expect(page.get_by_role("heading", name="办案流程")).to_be_visible()
    picture = page.get_by_role("img", name="办案流程图")
    expect(picture).to_be_visible()
    width = picture.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert width > 0
