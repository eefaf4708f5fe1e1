"""The portal pages over HTTP, CSRF on: form, receipt, status, limits, uploads, accounts."""
import io
import re

import pytest
from sqlalchemy import select

from enforcement.accounts.models import Mandate
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from enforcement.reports.models import Report
from tests.reports.conftest import added, latest
from tests.reports.helpers import (
    EXE,
    HTML,
    SVG,
    credit_code,
    jpeg,
    pdf,
    png,
    png_header_only,
    polyglot,
)

TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


def form_data(**changes):
    data = {
        "trademark-registration_no": "90000001", "infringer-name": "临河区某某粮油店",
        "infringer-district": "linhe", "infringer-credit_code": credit_code(),
        "infringer-address": "临河区新华街12号",
        "description": "店内销售标有“河套”字样的面粉，疑似假冒。", "found_on": "2026-11-20",
        "location": "临河区新华街12号", "goods-0-name": "雪花粉", "goods-0-quantity": "30",
        "goods-0-unit": "袋", "goods-1-name": "", "goods-1-quantity": "", "goods-1-unit": "",
        "reporter-name": "王某", "reporter-phone": "13904780001",
    }
    data.update(changes)
    return data


def open_form(browser):
    html = browser.client.get("/portal/report").get_data(as_text=True)
    return TOKEN_RE.search(html).group(1)


def submit(browser, files=(), **changes):
    token = open_form(browser)
    data = {"form_token": token, **form_data(**changes)}
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for content, name in files]
    return browser.post("/portal/report", data, token_from="/portal/report")



def stored_files(app):
    from pathlib import Path

    root = Path(app.config["STORAGE_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_home_offers_the_four_things(client):
    html = client.get("/portal/").get_data(as_text=True)
    for card in ("file", "status", "penalties", "verify"):
        assert f'data-card="{card}"' in html
    assert "即将开通" not in html  # the published penalties are a link now
    assert 'href="/penalties/"' in html


def test_file_a_report_with_photos_then_receipt_and_status(browser, app):
    response = submit(browser, files=[(jpeg(), "现场.jpg"), (png(), "小票.png")])
    assert response.status_code == 303 and response.location.endswith("/portal/report/receipt")
    page = browser.client.get("/portal/report/receipt").get_data(as_text=True)
    tracking_no = re.search(r"data-tracking-no>([^<]+)<", page).group(1)
    code = re.search(r"data-access-code>([^<]+)<", page).group(1)
    report = db.session.scalar(select(Report).where(Report.tracking_no == tracking_no))
    assert report.case.unit.district == "linhe"
    assert added(Evidence) == 2
    pdf_response = browser.client.get("/portal/report/receipt.pdf")
    assert pdf_response.mimetype == "application/pdf"
    assert pdf_response.data.startswith(b"%PDF")
    # the status page in a fresh browser: the right code shows the stage, never the notes
    status = browser.post("/portal/status", {"tracking_no": tracking_no, "access_code": code},
                          token_from="/portal/status")
    html = status.get_data(as_text=True)
    assert status.status_code == 200 and "已登记，正在核查" in html
    assert "临河区某某粮油店" not in html and credit_code() not in html
    assert "15个工作日" in html and "5个工作日" in html


def test_wrong_code_reveals_nothing(browser):
    submit(browser)
    report = latest(Report)
    wrong = browser.post("/portal/status", {"tracking_no": report.tracking_no,
                                            "access_code": "AAAA-BBBB-CCCC"},
                         token_from="/portal/status")
    missing = browser.post("/portal/status", {"tracking_no": "JB2026999999999",
                                              "access_code": "AAAA-BBBB-CCCC"},
                           token_from="/portal/status")
    assert wrong.status_code == missing.status_code == 404
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.get_data(as_text=True)) == strip.sub(
        "", missing.get_data(as_text=True).replace("JB2026999999999", report.tracking_no))
    assert "已登记" not in wrong.get_data(as_text=True)


def test_status_lookups_are_rate_limited(app, browser):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "report_status": (3, 600)}
    token = browser.csrf("/portal/status")
    answers = [browser.client.post("/portal/status", data={
        "csrf_token": token, "tracking_no": "JB1", "access_code": f"X{i}"}).status_code
        for i in range(5)]
    assert answers[:3] == [404, 404, 404] and answers[3] == 429
    assert browser.client.post("/portal/status", data={
        "csrf_token": token, "tracking_no": "JB1", "access_code": "x"}).headers["Retry-After"]


def test_login_is_rate_limited(app, browser):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "login": (2, 600)}
    codes = [browser.login("nobody", "wrong-password").status_code for _i in range(3)]
    assert codes[-1] == 429


def test_filing_is_rate_limited(app, browser):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "report_file": (1, 3600)}
    assert submit(browser).status_code == 303
    assert submit(browser).status_code == 429
    assert added(Report) == 1


def test_errors_keep_what_was_typed(browser):
    response = submit(browser, **{"infringer-credit_code": "91150802MA0N00001X",
                                  "reporter-phone": "12345", "goods-1-quantity": "-3",
                                  "found_on": "2999-01-01", "infringer-district": "",
                                  "description": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for path in ("infringer.credit_code", "reporter.phone", "goods.1.name", "goods.1.quantity",
                 "found_on", "infringer.district", "description"):
        assert f'data-error-for="{path}"' in html, path
    assert 'value="临河区某某粮油店"' in html and 'value="12345"' in html
    assert 'value="-3"' in html and 'value="2999-01-01"' in html
    assert added(Report) == 0


def test_double_submitted_form_files_once(browser):
    token = open_form(browser)
    data = {"form_token": token, **form_data()}
    first = browser.post("/portal/report", data, token_from="/portal/report")
    second = browser.post("/portal/report", data, token_from="/portal/report")
    assert first.status_code == second.status_code == 303
    assert added(Report) == 1


@pytest.mark.parametrize("content,name", [
    (EXE, "照片.jpg"), (SVG, "logo.svg"), (HTML, "page.jpg"), (polyglot(), "photo.jpg"),
    (png_header_only(), "huge.png"), (png(trailer=b"<?php echo 1; ?>"), "trailer.png"),
])
def test_refused_uploads_store_nothing(app, browser, content, name):
    response = submit(browser, files=[(jpeg(), "ok.jpg"), (content, name)])
    assert response.status_code == 422
    assert 'data-error-for="evidence"' in response.get_data(as_text=True)
    assert added(Report) == 0 and added(Evidence) == 0
    assert stored_files(app) == []


@pytest.mark.parametrize("field, files", [
    ("description", [(jpeg(), "ok.jpg")]),
    (None, [(jpeg(), "照片\x00.jpg")]),
], ids=["in a text field", "in a file name"])
def test_a_nul_character_in_the_multipart_form_is_refused_and_stores_nothing(
        app, browser, field, files):
    changes = {field: "假冒河套\x00雪花粉"} if field else {}
    response = submit(browser, files=files, **changes)
    assert response.status_code == 400
    assert "空字符" in response.get_data(as_text=True)  # said in Chinese, not a 500
    assert added(Report) == 0 and added(Evidence) == 0 and stored_files(app) == []


def test_oversize_file_is_413_with_a_page(app, browser, monkeypatch):
    from enforcement.evidence import checks

    # the limit scaled down, so that the test client keeps the body in memory
    monkeypatch.setattr(checks, "MAX_BYTES", 100 * 1024)
    big = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"
    response = submit(browser, files=[(jpeg(), "ok.jpg"), (big, "big.pdf")])
    assert response.status_code == 413
    assert "big.pdf" in response.get_data(as_text=True)
    assert added(Report) == 0 and added(Evidence) == 0 and stored_files(app) == []


def test_files_of_one_report_together_are_limited(app, browser):
    app.config["REPORT_MAX_BYTES"] = 3 * 1024
    padded = pdf()[:9] + b"%" + b"0" * 2048 + b"\n" + pdf()[9:]  # a PDF comment line
    response = submit(browser, files=[(padded, "a.pdf"), (padded, "b.pdf")])
    assert response.status_code == 413 and "合计" in response.get_data(as_text=True)
    assert added(Report) == 0 and stored_files(app) == []


def test_request_over_the_content_limit_is_413(app, browser):
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024
    response = submit(browser, files=[(b"%PDF-1.4\n" + b"0" * 200 * 1024 + b"%%EOF", "a.pdf")])
    assert response.status_code == 413 and "文件太大" in response.get_data(as_text=True)
    assert added(Report) == 0


def test_pdf_and_video_are_accepted(browser):
    from tests.reports.helpers import mp4

    assert submit(browser, files=[(pdf(), "小票.pdf"), (mp4(), "v.mp4")]).status_code == 303
    types = sorted(db.session.scalars(select(Evidence.content_type)
                                      .where(Evidence.case_id == latest(Report).case_id)))
    assert types == ["application/pdf", "video/mp4"]


def test_mark_search_by_name_number_and_owner(client):
    by_name = client.get("/portal/marks?q=河套").get_json()["items"]
    assert {m["registration_no"] for m in by_name} >= {"90000001", "90000002"}
    assert client.get("/portal/marks?q=90000004").get_json()["items"][0]["name"] == "维信"
    assert client.get("/portal/marks?q=羊绒集团").get_json()["items"][0]["name"] == "维信"


def test_register_then_upload_a_mandate_and_file_for_the_principal(browser, app):
    token = browser.csrf("/portal/register")
    bad = browser.client.post("/portal/register", data={
        "csrf_token": token, "username": "ag", "password": "short", "full_name": "",
        "phone": "", "email": "bad"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    for name in ("username", "password", "full_name", "email"):
        assert f'data-error-for="{name}"' in html
    ok = browser.client.post("/portal/register", data={
        "csrf_token": token, "username": "agent_test", "password": "long-enough-pass",
        "full_name": "知信知识产权代理有限公司", "phone": "13904780009", "email": ""})
    assert ok.status_code == 303
    refused = browser.post("/portal/mandates", {
        "principal_name": "巴彦淖尔市河套农产品协会", "mark_numbers": "90000001",
        "file": (io.BytesIO(SVG), "委托书.svg")})
    assert refused.status_code == 422 and added(Mandate) == 0 and stored_files(app) == []
    saved = browser.post("/portal/mandates", {
        "principal_name": "巴彦淖尔市河套农产品协会", "mark_numbers": "90000001, 90000008",
        "file": (io.BytesIO(pdf()), "委托书.pdf")})
    assert saved.status_code == 303
    mandate = latest(Mandate)
    assert mandate.mark_numbers == ["90000001", "90000008"] and mandate.content_type == \
        "application/pdf"
    assert submit(browser, mandate_id=str(mandate.id)).status_code == 303
    report = latest(Report)
    assert report.mandate_id == mandate.id
    assert report.principal_name == "巴彦淖尔市河套农产品协会"
    mine = browser.client.get("/portal/mine").get_data(as_text=True)
    assert report.tracking_no in mine and "巴彦淖尔市河套农产品协会" in mine


def test_station_form_asks_for_the_farmer(browser):
    browser.login("station_linhe")
    form = browser.client.get("/portal/report").get_data(as_text=True)
    assert 'name="principal-name"' in form
    missing = submit(browser)
    assert missing.status_code == 422
    assert 'data-error-for="principal.name"' in missing.get_data(as_text=True)
    done = submit(browser, **{"principal-name": "临河区丰收种植合作社",
                              "principal-contact": "13904780002"})
    assert done.status_code == 303
    report = latest(Report)
    assert report.case.filed_by_unit.code == "linhe_station"
    assert report.tracking_no in browser.client.get("/portal/mine").get_data(as_text=True)


def test_rights_holder_sees_its_reports_and_nobody_elses(browser):
    browser.login("holder_hetao")
    assert submit(browser).status_code == 303
    mine = latest(Report)
    assert mine.submitted_by.username == "holder_hetao"
    page = browser.client.get("/portal/mine")
    assert page.status_code == 200 and mine.tracking_no in page.get_data(as_text=True)
    assert "“河套”" in page.get_data(as_text=True)
    detail = browser.client.get(f"/portal/mine/{mine.tracking_no}")
    assert detail.status_code == 200 and "已登记，正在核查" in detail.get_data(as_text=True)
    browser.logout()
    browser.login("holder_weixin")
    assert mine.tracking_no not in browser.client.get("/portal/mine").get_data(as_text=True)
    assert browser.client.get(f"/portal/mine/{mine.tracking_no}").status_code == 404


def test_my_reports_needs_an_account(client):
    response = client.get("/portal/mine")
    assert response.status_code == 302 and "/login" in response.location
