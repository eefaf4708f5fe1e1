"""The public portal on a phone: home, a report with a photo, the receipt, the status check.

Screenshots of every step go to /tmp/shots/h1/ (or $PORTAL_SHOTS) for a person to look at.
"""
import io
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PORTAL_SHOTS", "/tmp/shots/h1"))


def photo(tmp_path) -> Path:
    from PIL import Image

    path = tmp_path / "面粉包装.jpg"
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (230, 210, 160)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_report_from_a_phone_then_follow_it(live_server, phone_page, tmp_path):
    page = phone_page
    page.goto(f"{live_server}/portal/")
    shot(page, "1-home")
    page.get_by_role("link", name="我要举报").first.click()
    expect(page.get_by_role("heading", name="举报商标侵权")).to_be_visible()

    # the mark from the registry search (report.js); the number is filled in for us
    page.get_by_label("在商标库中查找").fill("河套")
    expect(page.locator("[data-mark-results] [data-reg-no='90000001']")).to_be_visible()
    shot(page, "1b-mark-search")
    page.locator("[data-mark-results] [data-reg-no='90000001']").click()
    expect(page.locator("[name='trademark-registration_no']")).to_have_value("90000001")

    page.get_by_label("名称或姓名（网店写店铺名）").fill("临河区某某粮油店")
    page.get_by_label("所在旗县区").select_option("linhe")
    page.get_by_label("情况说明").fill("店内销售印有“河套”的面粉，包装粗糙。")
    page.get_by_label("发现地点（线下必填）").fill("临河区新华街12号")
    page.locator("[name='goods-0-name']").fill("雪花粉")
    page.locator("[name='goods-0-quantity']").fill("30")
    page.locator("[name='goods-0-unit']").fill("袋")
    page.get_by_role("button", name="再加一行").click()
    expect(page.locator("[name='goods-3-name']")).to_be_visible()
    page.get_by_label("照片、购物小票、PDF 或短视频，可以一次选多个").set_input_files(
        str(photo(tmp_path)))
    # a mistake first: the phone number; everything typed stays
    page.get_by_label("姓名或单位名称").fill("王某")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="提交举报").click()
    expect(page.locator("[data-error-for='reporter.phone']")).to_be_visible()
    expect(page.get_by_label("名称或姓名（网店写店铺名）")).to_have_value("临河区某某粮油店")
    shot(page, "2-form-error")
    page.get_by_label("手机号码").fill("13904780001")
    page.get_by_label("照片、购物小票、PDF 或短视频，可以一次选多个").set_input_files(
        str(photo(tmp_path)))
    page.get_by_role("button", name="提交举报").click()

    expect(page.get_by_text("您的举报已经登记。")).to_be_visible()
    tracking_no = page.locator("[data-tracking-no]").inner_text().strip()
    code = page.locator("[data-access-code]").inner_text().strip()
    assert re.fullmatch(r"JB\d{8}[A-Z2-9]{6}", tracking_no)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    shot(page, "3-receipt")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载回执（PDF）").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # the status, checked later from another phone (a fresh context: no session)
    other = page.context.browser.new_context(viewport={"width": 390, "height": 844},
                                             is_mobile=True, has_touch=True)
    later = other.new_page()
    later.goto(f"{live_server}/portal/")
    later.get_by_role("link", name="查询举报进度").click()
    later.get_by_label("登记编号").fill(tracking_no)
    later.get_by_label("查询码").fill("AAAA-BBBB-CCCC")
    later.get_by_role("button", name="查询").click()
    expect(later.locator("[data-not-found]")).to_be_visible()
    later.get_by_label("登记编号").fill(tracking_no)
    later.get_by_label("查询码").fill(code.lower())
    later.get_by_role("button", name="查询").click()
    expect(later.locator("[data-stage]")).to_have_text("已登记，正在核查")
    expect(later.get_by_text("15个工作日")).to_be_visible()
    assert "临河区某某粮油店" not in later.content()
    # nothing wider than the phone
    assert later.evaluate("document.documentElement.scrollWidth") <= 390
    shot(later, "4-status")
    other.close()
