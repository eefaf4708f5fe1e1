"""The worksheet's rows in Chromium: blank rows to start with, "增加一行" adds more (rows.js,
no inline script under the CSP), and the computed 违法经营额 is recorded."""
import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from enforcement import create_app
from enforcement.cases.models import Case
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from tests.browser.test_journeys import log_in
from workflows.states import CaseState

SHOTS = Path(os.environ.get("H3_SHOTS", "test-artifacts/procedure"))


def _case_id(database_url, state: str) -> int:
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        try:
            return db.session.scalar(select(Case.id).join(OrgUnit, OrgUnit.id == Case.unit_id)
                                     .where(Case.state == CaseState(state),
                                            OrgUnit.code == "linhe_amr").order_by(Case.id))
        finally:
            db.session.remove()
            db.engine.dispose()


def _volume(database_url, case_id) -> Decimal:
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        try:
            return db.session.get(Case, case_id).business_volume
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.browser
def test_the_worksheet_grows_row_by_row(live_server, database_url, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    case_id = _case_id(database_url, "investigating")
    log_in(page, live_server, "linhe_inspector1")
    page.goto(f"{live_server}/cases/{case_id}/actions/compute_business_volume")
    table = page.locator("[data-rows=lines]")
    expect(table.locator("[data-row]")).to_have_count(3)
    add = table.get_by_role("button", name="增加一行")
    expect(add).to_be_visible()  # shown once rows.js has run
    add.click()
    expect(table.locator("[data-row]")).to_have_count(4)

    def fill(i, name, status, quantity, price, basis):
        row = table.locator("[data-row]").nth(i)
        row.get_by_label("商品名称").fill(name)
        row.get_by_label("销售情况").select_option(status)
        row.get_by_label("数量").fill(quantity)
        row.get_by_label("单位").fill("袋")
        row.get_by_label("单价（元）").fill(price)
        row.get_by_label("价格依据").select_option(basis)

    fill(0, "“河套”雪花粉", "sold", "12", "85", "actual_price")
    fill(3, "“河套”雪花粉", "unsold", "28", "88", "marked_price")  # the added row
    page.get_by_label("价格认定说明").fill("已销售部分有销售单据，库存部分按标价。")
    page.screenshot(path=str(SHOTS / "worksheet.png"), full_page=True)
    page.get_by_role("button", name="确认：计算违法经营额").click()
    expect(page.get_by_text("已完成：计算违法经营额")).to_be_visible()
    assert _volume(database_url, case_id) == Decimal("3484.00")


@pytest.mark.browser
def test_the_payment_form_shows_the_surcharge(live_server, database_url, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    case_id = _case_id(database_url, "publicized")
    log_in(page, live_server, "linhe_inspector1")
    page.goto(f"{live_server}/cases/{case_id}/actions/record_payment")
    panel = page.locator("[data-panel=payment]")
    expect(panel.get_by_text("截至今天加处罚款")).to_be_visible()
    expect(panel.locator("[data-surcharge]")).to_contain_text("0.00")
    page.screenshot(path=str(SHOTS / "payment.png"), full_page=True)


@pytest.mark.browser
def test_the_no_penalty_form_asks_for_the_supplier(live_server, database_url, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    case_id = _case_id(database_url, "decision_review")
    log_in(page, live_server, "linhe_head")
    page.goto(f"{live_server}/cases/{case_id}/actions/decide_no_penalty")
    page.get_by_label("不予处罚理由").select_option("seller_exemption")
    page.get_by_label("事实和理由").fill("当事人提供了进货单据，说明了提供者。")
    page.get_by_label("法律依据").fill("《商标法》第六十条第二款")
    bureau = page.get_by_label("提供者所在地市场监管部门")
    bureau.select_option(bureau.locator("option", has_text="五原县").first.get_attribute("value"))
    page.get_by_role("button", name="确认：作出不予行政处罚决定").click()
    # the supplier's name and address are missing: said on the form, nothing decided
    expect(page.get_by_text("以销售者免责不予处罚的，请填写商品提供者名称")).to_be_visible()
    page.screenshot(path=str(SHOTS / "no_penalty.png"), full_page=True)
    page.get_by_label("提供者名称", exact=True).fill("五原县某粮油批发部")
    page.get_by_label("提供者地址").fill("五原县隆兴昌镇建设路8号")
    page.get_by_role("button", name="确认：作出不予行政处罚决定").click()
    expect(page.get_by_text("已完成：作出不予行政处罚决定")).to_be_visible()
