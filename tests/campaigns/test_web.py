"""The statistics through HTTP: pages, drill-downs and exports in the user's jurisdiction, the
XLSX and PDF a bureau sends on, the API, and campaign membership and field work."""
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from enforcement.audit.models import AuditEntry
from enforcement.campaigns.models import CampaignCase, FieldWork, JoinedBy
from enforcement.extensions import db
from tests.campaigns.dataset import build
from tests.web import ApiUser, logged_in

Q2 = {"year": 2024, "quarter": 2}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASE_ROW = re.compile(r'<tr data-case-id="(\d+)"')


@pytest.fixture
def data(app):
    return build()


def drilled(browser, **params) -> set[str]:
    response = browser.client.get("/stats/cases", query_string=params)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return set(re.findall(r">T2024([A-F])</a>", html))


def test_city_page_shows_figures_charts_and_definitions(app, data):
    browser = logged_in(app, "supervisor")
    html = browser.client.get("/stats/", query_string=Q2).get_data(as_text=True)
    assert "全市 2024年第2季度 商标侵权执法统计" in html
    assert html.count("<svg") == 4 and 'data-chart="trend"' in html
    for name in ("巴彦淖尔市临河区市场监督管理局", "五原县市场监督管理局", "地理标志证明商标",
                 "第29类", "统计口径", "本季度内经批准立案的案件数，按立案审批时间计。"):
        assert name in html
    # the total row: 3 filed, 33.3 % closed, 25,000 yuan of fines and confiscations
    total = html[html.index('<tr class="total">'):]
    total = total[:total.index("</tr>")]
    assert re.findall(r'data-figure="(filed|closing_rate|penalties)"[^>]*>([^<]+)<', total) == [
        ("filed", "3"), ("closing_rate", "33.3"), ("penalties", "25,000.00")]
    assert drilled(browser, figure="filed", **Q2) == {"A", "B", "E"}
    assert drilled(browser, figure="repeat", **Q2) == {"E"}


def test_a_district_user_sees_only_its_district(app, data):
    browser = logged_in(app, "wuyuan_head")
    html = browser.client.get("/stats/", query_string=Q2).get_data(as_text=True)
    assert "五原县市场监督管理局 2024年第2季度" in html
    assert "临河区" not in html.split("统计口径")[0].split("</nav>", 1)[1]
    assert drilled(browser, figure="received", **Q2) == {"C", "E"}
    assert drilled(browser, figure="filed", dim="unit", key=data.linhe.id, **Q2) == set()
    # another district's unit or campaign is not found, not shown empty
    assert browser.client.get("/stats/", query_string={**Q2, "unit_id": data.linhe.id}) \
        .status_code == 404
    assert browser.client.get("/stats/cases", query_string={
        **Q2, "figure": "filed", "unit_id": data.linhe.id}).status_code == 404
    assert browser.client.get(f"/campaigns/{data.x.id}").status_code == 200  # city-wide
    linhe = logged_in(app, "linhe_head")
    assert linhe.client.get(f"/campaigns/{data.y.id}").status_code == 404  # 五原's own
    assert drilled(linhe, figure="received", **Q2) == {"B"}
    xlsx = load_workbook(io.BytesIO(browser.client.get(
        "/stats/export.xlsx", query_string=Q2).data))
    units = [row[0] for row in xlsx.worksheets[0].iter_rows(min_row=4, values_only=True)]
    assert units == ["五原县市场监督管理局", "合计"]


def test_inspectors_and_police_have_no_statistics(app, data):
    for username in ("linhe_inspector1", "police_linhe"):
        browser = logged_in(app, username)
        assert browser.client.get("/stats/", query_string=Q2).status_code == 403
        assert browser.client.get("/stats/export.xlsx").status_code == 403


def test_xlsx_has_the_official_columns_totals_as_formulas_and_definitions(app, data):
    browser = logged_in(app, "supervisor")
    response = browser.client.get("/stats/export.xlsx", query_string=Q2)
    assert response.status_code == 200 and response.mimetype == XLSX
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "全市 2024年第2季度 商标侵权执法统计"
    header = [c.value for c in ws[3]]
    assert header[:6] == ["地区（办案单位）", "受理投诉举报（登记线索）", "立案数",
                          "其中：重大案件", "结案数", "结案率（%）"]
    assert header[-4:] == ["出动执法人员（人次）", "检查经营主体（户次）", "检查市场（个次）",
                           "监测网店（个次）"]
    assert ws.freeze_panes == "B4"
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == ["巴彦淖尔市临河区市场监督管理局", "五原县市场监督管理局",
                                    "合计"]
    assert rows[0][1:4] == (1, 2, 1) and rows[1][1:4] == (2, 1, 0)
    total = rows[2]
    assert total[header.index("立案数")] == "=SUM(C4:C5)"
    assert total[header.index("罚没款（元）")] == "=SUM(H4:H5)"
    assert total[header.index("出动执法人员（人次）")] == "=SUM(R4:R5)"
    assert total[header.index("结案率（%）")].startswith('=IF(C6=0,"",ROUND(E6/C6*100')
    assert [s.title for s in wb.worksheets] == ["按地区(办案单位)", "按商标类型",
                                                 "按商品类别(尼斯分类)", "统计口径"]
    definitions = dict(wb["统计口径"].iter_rows(min_row=2, values_only=True))
    assert definitions["立案数"] == "本季度内经批准立案的案件数，按立案审批时间计。"
    assert AuditEntry.query.filter_by(action="stats.export").count() == 1


def test_pdf_report_has_title_tables_totals_and_definitions(app, data):
    browser = logged_in(app, "supervisor")
    response = browser.client.get("/stats/export.pdf",
                                  query_string={**Q2, "campaign_id": data.x.id})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", "", text)
    for expected in ("河套2024Q22024年第2季度商标侵权执法统计", "近四个季度趋势",
                     "按地区（办案单位）", "合计", "25,000.00", "50,000.00", "统计口径",
                     "本季度结案数÷本季度立案数"):
        assert expected in text, expected


def test_csv_export(app, data):
    browser = logged_in(app, "supervisor")
    response = browser.client.get("/stats/export.csv", query_string=Q2)
    body = response.data.decode("utf-8-sig")
    assert response.mimetype == "text/csv"
    assert "合计,3,3,1,1,33.3,50000.00,25000.00" in body


def test_api_json_and_xlsx(app, data):
    api = ApiUser(app, "supervisor")
    response = api.get("/api/v1/stats/quarterly", query_string={
        **Q2, "campaign_id": data.y.id})
    assert response.status_code == 200
    body = response.get_json()
    assert body["tables"][0]["total"]["received"] == 1
    assert body["tables"][0]["total"]["avg_days"] == 81.6
    assert body["definitions"]["filed"] == "本季度内经批准立案的案件数，按立案审批时间计。"
    wuyuan = ApiUser(app, "wuyuan_head")
    assert wuyuan.get("/api/v1/stats/quarterly", query_string={
        **Q2, "unit_id": data.linhe.id}).status_code == 404
    own = wuyuan.get("/api/v1/stats/quarterly", query_string=Q2).get_json()
    assert [r["label"] for r in own["tables"][0]["rows"]] == ["五原县市场监督管理局"]
    by_accept = api.get("/api/v1/stats/quarterly", query_string=Q2, headers={"Accept": XLSX})
    by_format = api.get("/api/v1/stats/quarterly", query_string={**Q2, "format": "xlsx"})
    for response in (by_accept, by_format):
        assert response.status_code == 200 and response.mimetype == XLSX
        assert load_workbook(io.BytesIO(response.data)).worksheets[0]["A1"].value \
            == "全市 2024年第2季度 商标侵权执法统计"
    assert ApiUser(app, "linhe_inspector1").get("/api/v1/stats/quarterly").status_code == 403
    assert "/api/v1/stats/quarterly" in api.get("/api/v1/openapi.json").get_json()["paths"]


def test_cases_join_and_leave_a_campaign_by_hand_with_who_and_when(app, data):
    browser = logged_in(app, "supervisor")
    detail = f"/campaigns/{data.x.id}"
    response = browser.post(f"/campaigns/{data.x.id}/cases",
                            {"number": "T2024E", "note": "当事人同时销售假冒河套面粉"},
                            token_from=detail)
    assert response.status_code == 303
    response = browser.post(f"/campaigns/{data.x.id}/cases/{data.cases['C'].id}/remove",
                            {"reason": "系五原县专项行动案件"}, token_from=detail)
    assert response.status_code == 303
    rows = {r.case_id: r for r in db.session.scalars(select(CampaignCase).where(
        CampaignCase.campaign_id == data.x.id))}
    added, removed = rows[data.cases["E"].id], rows[data.cases["C"].id]
    assert added.joined_by is JoinedBy.hand and added.added_by.username == "supervisor"
    assert removed.joined_by is JoinedBy.rule and removed.removed_reason == "系五原县专项行动案件"
    assert removed.removed_by.username == "supervisor" and removed.removed_at is not None
    assert drilled(browser, figure="received", campaign_id=data.x.id, **Q2) == {"E"}
    assert {e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("campaign.%")))} == {"campaign.add_case", "campaign.remove_case"}
    html = browser.client.get(detail).get_data(as_text=True)
    assert "当事人同时销售假冒河套面粉" in html and "系五原县专项行动案件" in html
    # a case outside the user's jurisdiction cannot be added
    wuyuan_head = logged_in(app, "wuyuan_head")
    wuyuan_head.post(f"/campaigns/{data.y.id}/cases", {"number": "T2024B"},
                     token_from=f"/campaigns/{data.y.id}")
    assert db.session.scalar(select(CampaignCase).where(
        CampaignCase.campaign_id == data.y.id,
        CampaignCase.case_id == data.cases["B"].id)) is None


def test_campaign_is_created_with_its_rule(app, data):
    browser = logged_in(app, "supervisor")
    response = browser.post("/campaigns/new", {
        "name": "维信羊绒保护行动", "starts_on": "2024-04-01", "ends_on": "2024-06-30",
        "lead_unit_id": data.linhe.id, "districts": "linhe", "nice_classes": "25",
        "goals": "查处假冒维信羊绒衫"})
    assert response.status_code == 303
    campaign_url = response.headers["Location"]
    html = browser.client.get(campaign_url, query_string=Q2).get_data(as_text=True)
    assert "维信羊绒保护行动" in html and "第25类" in html
    assert f'<tr data-member="{data.cases["B"].id}">' in html
    bad = browser.post("/campaigns/new", {
        "name": "x", "starts_on": "2024-04-01", "ends_on": "2024-03-01",
        "lead_unit_id": data.linhe.id, "nice_classes": "25, 99"})
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "结束日期不能早于开始日期" in text and "“99”不是 1 至 45 之间的尼斯分类号" in text
    absurd = browser.post("/campaigns/new", {
        "name": "y", "starts_on": "0001-01-01", "ends_on": "9999-12-31",
        "lead_unit_id": data.linhe.id})
    assert absurd.status_code == 200
    assert absurd.get_data(as_text=True).count("日期须在 2000-01-01 至") == 2


def test_field_work_is_entered_by_a_unit_for_itself(app, data):
    browser = logged_in(app, "wuyuan_inspector1")
    response = browser.post("/campaigns/field-work", {
        "year": 2024, "quarter": 2, "campaign_id": data.y.id, "officers": 12,
        "businesses": 48, "markets": 3, "online_shops": 6, "note": "夜查"})
    assert response.status_code == 303
    row = db.session.scalar(select(FieldWork).where(FieldWork.campaign_id == data.y.id))
    assert (row.unit_id, row.officers, row.businesses, row.entered_by.username) == (
        data.wuyuan.id, 12, 48, "wuyuan_inspector1")
    negative = browser.post("/campaigns/field-work", {
        "year": 2024, "quarter": 2, "campaign_id": 0, "officers": -1, "businesses": 0,
        "markets": 0, "online_shops": 0})
    assert "数量应在 0 至 1000000 之间" in negative.get_data(as_text=True)
    supervisor = logged_in(app, "supervisor")
    html = supervisor.client.get(f"/campaigns/{data.y.id}", query_string=Q2) \
        .get_data(as_text=True)
    total = html[html.index('<tr class="total">'):]
    assert re.search(r"<td>12</td><td>48</td><td>3</td><td>6</td>", total)
