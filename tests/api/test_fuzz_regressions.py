"""What the schemathesis fuzz of the API found (tests/api/test_fuzz.py), one plain test each:
each was a 500 or an answer the OpenAPI document did not describe."""
import io
import json

import pytest
from sqlalchemy import func, select

from enforcement.cases.models import CaseEvent
from enforcement.extensions import db
from enforcement.reports.models import Report
from tests.conftest import case_in_state
from tests.web import ApiUser, fresh_client, logged_in

#: past a signed 64-bit integer: SQLite's driver refused to send it (OverflowError, a 500)
HUGE_ID = "9" * 25
#: past PostgreSQL's INTEGER: "integer out of range" (a 500 on PostgreSQL only)
PAST_INTEGER = 2**31
NUL_MESSAGE = "请求中含有空字符（\\0），无法保存；请删除后重新提交"
REPORT = {"trademark": {"name": "河套"}, "infringer": {"name": "某某商行", "district": "linhe"},
          "description": "销售假冒面粉。", "location": "临河区新华街1号",
          "reporter": {"name": "张三", "phone": "13800000000"}}


def nul_refused(response):
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == {"code": "nul_character", "message": NUL_MESSAGE}


def rows(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("path", [f"/api/v1/cases/{HUGE_ID}",
                                  f"/api/v1/documents/{HUGE_ID}",
                                  f"/api/v1/referrals/{HUGE_ID}/packet",
                                  f"/api/v1/cases/{PAST_INTEGER}",
                                  f"/api/v1/documents/{PAST_INTEGER}",
                                  f"/api/v1/referrals/{PAST_INTEGER}/packet"])
def test_an_id_past_the_database_integers_is_not_found(app, path):
    response = ApiUser(app, "linhe_inspector1").get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("case_id", [int(HUGE_ID), PAST_INTEGER])
def test_an_id_past_the_database_integers_in_an_action_is_not_found(app, case_id):
    response = ApiUser(app, "linhe_inspector1").act(case_id, "record_inquiry", {}, 1)
    assert response.status_code == 404


def test_the_largest_id_the_database_holds_is_still_a_route(app):
    response = ApiUser(app, "linhe_inspector1").get(f"/api/v1/cases/{PAST_INTEGER - 1}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"  # the API's own answer


@pytest.mark.parametrize("query", ["date_from=0001-01-01", "date_to=9999-12-31",
                                   "date_from=0001-01-01&date_to=9999-12-31"])
def test_the_calendars_first_and_last_days_bound_a_search(app, query):
    """China's midnight of 1 January of year 1 is in year 0 in UTC, past what a datetime holds
    (OverflowError, a 500); so was the day after 31 December 9999. They bound nothing now."""
    api = ApiUser(app, "linhe_inspector1")
    everything = api.get("/api/v1/cases").get_json()["total"]
    response = api.get(f"/api/v1/cases?{query}")
    assert response.status_code == 200
    assert response.get_json()["total"] == everything > 0
    web = logged_in(app, "linhe_inspector1").client.get(f"/cases/?{query}")
    assert web.status_code == 200


def test_nul_in_a_json_string_is_refused_before_anything_is_stored(app):
    before = rows(Report)
    body = {**REPORT, "description": "销售假冒\x00面粉。"}
    nul_refused(fresh_client(app).post("/api/v1/reports", json=body))
    assert rows(Report) == before


def test_nul_in_a_json_key_is_refused(app):
    nul_refused(fresh_client(app).post("/api/v1/auth/token",
                                       json={"username": "x", "password": "y", "a\x00": 1}))


def test_nul_in_an_action_body_is_refused_and_the_case_is_unchanged(app):
    case = case_in_state("investigating")
    case_id, version = case.id, case.version
    events = rows(CaseEvent)
    inquiry = {"person": "当事人张某", "held_on": "2026-01-05", "content": "询问\x00来源。"}
    nul_refused(ApiUser(app, "linhe_inspector1").act(case_id, "record_inquiry", inquiry,
                                                       version))
    assert rows(CaseEvent) == events
    assert case_in_state("investigating").version == version


def test_nul_in_the_query_is_refused(app):
    nul_refused(ApiUser(app, "linhe_inspector1").get("/api/v1/cases?q=%E6%B2%B3%00"))
    nul_refused(fresh_client(app).get("/api/v1/public/penalties?party=%00"))


def test_nul_in_the_path_is_refused(app):
    nul_refused(fresh_client(app).get("/api/v1/reports/R%00?access_code=x"))


def test_nul_in_a_header_the_app_stores_is_refused(app):
    before = rows(Report)
    nul_refused(fresh_client(app).post("/api/v1/reports", json=REPORT,
                                       headers={"Idempotency-Key": "key\x00"}))
    assert rows(Report) == before


def test_nul_in_the_report_part_of_a_multipart_filing_is_refused(app):
    before = rows(Report)
    report = json.dumps({**REPORT, "location": "临河区\x00新华街"})
    response = fresh_client(app).post("/api/v1/reports", content_type="multipart/form-data",
                                      data={"report": report})
    nul_refused(response)
    assert rows(Report) == before


def test_nul_in_an_uploaded_file_name_is_refused(app):
    case = case_in_state("investigating")
    events = rows(CaseEvent)
    response = ApiUser(app, "linhe_inspector1").post(
        f"/api/v1/cases/{case.id}/evidence", content_type="multipart/form-data",
        headers={"If-Match": f'"{case.version}"'},
        data={"files": (io.BytesIO(b"%PDF-1.4 evidence"), "photo\x00.pdf")})
    nul_refused(response)
    assert rows(CaseEvent) == events


def _multipart(*parts: tuple[str, str]) -> tuple[bytes, str]:
    """A multipart body written out by hand: (Content-Disposition, value) per part."""
    boundary = "fuzz-boundary"
    body = "".join(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n"
                   for disposition, value in parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


NAMELESS_MESSAGE = "提交的表单中有未命名的部分"


@pytest.mark.parametrize("disposition", ["form-data", "form-data; name=",
                                         'form-data; filename="photo.jpg"'])
def test_a_multipart_part_without_a_name_is_refused_and_nothing_is_stored(app, disposition):
    """The parser names such a part None; the NUL guard took the name for a string (500)."""
    before = rows(Report)
    body, content_type = _multipart((disposition, "孤立的部分"),
                                    ('form-data; name="report"', json.dumps(REPORT)))
    response = fresh_client(app).post("/api/v1/reports", data=body, content_type=content_type)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "nameless_part" and error["message"].startswith(NAMELESS_MESSAGE)
    assert rows(Report) == before


def test_a_nameless_part_on_a_web_form_gets_the_error_page(app):
    """Flask-WTF's CSRF check read the field names first, and failed on None (500)."""
    body, content_type = _multipart(("form-data", "孤立的部分"))
    response = fresh_client(app).post("/portal/report", data=body, content_type=content_type)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert NAMELESS_MESSAGE in response.get_data(as_text=True)


def test_nul_on_a_web_page_gets_the_error_page(app):
    response = fresh_client(app).get("/penalties?party=%00")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_a_mandate_id_past_the_database_integers_is_invalid(app):
    """Agents file under a mandate; its lookup failed with "integer out of range" (500)."""
    before = rows(Report)
    response = ApiUser(app, "agent_zhixin").post("/api/v1/reports",
                                                 json={**REPORT, "mandate_id": PAST_INTEGER})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"]["mandate_id"] == ["请选择授权委托书"]
    assert rows(Report) == before


def test_every_operation_documents_the_bad_request_answer(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], f"{method.upper()} {path}"


def test_what_an_action_did_is_not_mistaken_for_the_whole_case(app, client):
    """The 200 of an action is oneOf CaseDetail or ActionResult: the minimal answer must not
    also be a valid CaseDetail (it was, when CaseDetail required nothing)."""
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    detail_keys = set(schemas["CaseSummary"]["required"]) | set(
        schemas["CaseDetail"]["allOf"][1]["required"])
    case = case_in_state("investigating")
    inspector = ApiUser(app, "linhe_inspector1")
    assert detail_keys <= set(inspector.case(case.id))
    inquiry = {"person": "当事人张某", "held_on": "2026-01-05", "content": "询问进货来源。"}
    minimal = inspector.post(f"/api/v1/cases/{case.id}/actions/record_inquiry", json=inquiry,
                             headers={"If-Match": f'"{case.version}"',
                                      "Prefer": "return=minimal"})
    assert minimal.status_code == 200, minimal.get_json()
    assert not detail_keys <= set(minimal.get_json())
    assert set(schemas["ActionResult"]["required"]) <= set(minimal.get_json())


def test_a_verification_page_not_found_is_documented_as_html_too(client):
    document = client.get("/api/v1/openapi.json").get_json()
    responses = document["paths"]["/verify/{code}"]["get"]["responses"]
    response = client.get("/verify/" + "2" * 24)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert set(responses["404"]["content"]) == {"application/json", "text/html"}
    as_json = client.get("/verify/" + "2" * 24, headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and as_json.get_json()["error"]["code"] == "not_found"
