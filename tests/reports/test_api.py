"""POST /api/v1/reports and GET /api/v1/reports/{tracking_no}: fields, files, idempotency."""
import io
import json
import threading

import pytest
from sqlalchemy import select

from enforcement.cases.models import Case
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from enforcement.reports.models import Report
from tests.reports.conftest import added, latest
from tests.reports.helpers import EXE, credit_code, id_number, jpeg, payload


def test_file_and_follow_a_report(client):
    response = client.post("/api/v1/reports", json=payload())
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"tracking_no", "access_code", "status"}
    assert body["status"] == "registered"
    status = client.get(f"/api/v1/reports/{body['tracking_no']}",
                        query_string={"access_code": body["access_code"].lower()})
    assert status.status_code == 200
    data = status.get_json()
    assert data["status"] == "registered" and data["verification_due"]
    assert "临河区某某粮油店" not in json.dumps(data, ensure_ascii=False)
    wrong = client.get(f"/api/v1/reports/{body['tracking_no']}",
                       query_string={"access_code": "AAAA-BBBB-CCCC"})
    missing = client.get("/api/v1/reports/JB000", query_string={"access_code": "x"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.get_json() == missing.get_json()


def test_multipart_with_files(client):
    response = client.post("/api/v1/reports", data={
        "report": json.dumps(payload(), ensure_ascii=False),
        "evidence": [(io.BytesIO(jpeg()), "a.jpg"), (io.BytesIO(jpeg()), "b.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert added(Evidence) == 2


def test_multipart_refused_file_files_nothing(client):
    response = client.post("/api/v1/reports", data={
        "report": json.dumps(payload(), ensure_ascii=False),
        "evidence": [(io.BytesIO(jpeg()), "a.jpg"), (io.BytesIO(EXE), "b.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "evidence" in response.get_json()["error"]["fields"]
    assert added(Report) == 0 and added(Evidence) == 0
    both = client.post("/api/v1/reports", data={
        "report": json.dumps(payload(description=""), ensure_ascii=False),
        "evidence": [(io.BytesIO(EXE), "b.jpg")]}, content_type="multipart/form-data")
    assert {"evidence", "description"} <= set(both.get_json()["error"]["fields"])


FIELD_CASES = [
    ({"trademark": {}}, "trademark.registration_no"),
    ({"trademark": {"registration_no": "TM-12"}}, "trademark.registration_no"),
    ({"trademark": {"name": "不存在的商标"}}, "trademark.name"),
    ({"infringer__name": ""}, "infringer.name"),
    ({"infringer__name": "店" * 121}, "infringer.name"),
    ({"infringer__credit_code": "91150802MA0N00001X"}, "infringer.credit_code"),
    ({"infringer__credit_code": "123"}, "infringer.credit_code"),
    ({"infringer__id_number": "150802198001010010"}, "infringer.id_number"),
    ({"infringer__address": "路" * 201}, "infringer.address"),
    ({"infringer__district": None}, "infringer.district"),
    ({"infringer__district": "beijing"}, "infringer.district"),
    ({"infringer__shop_url": "shop.example.com"}, "infringer.shop_url"),
    ({"infringer__seller_account": "a" * 121}, "infringer.seller_account"),
    ({"infringer__color": "red"}, "infringer.color"),
    ({"description": ""}, "description"),
    ({"description": "字" * 2001}, "description"),
    ({"found_on": "20/11/2026"}, "found_on"),
    ({"found_on": "2999-01-01"}, "found_on"),
    ({"location": None}, "location"),
    ({"goods": [{"name": "面粉", "quantity": "abc"}]}, "goods.0.quantity"),
    ({"goods": [{"name": "面粉", "quantity": "0"}]}, "goods.0.quantity"),
    ({"goods": [{"name": "面粉", "quantity": "1.23456"}]}, "goods.0.quantity"),
    ({"goods": [{"quantity": "3", "unit": "袋"}]}, "goods.0.name"),
    ({"goods": [{"name": "面粉", "unit": "袋" * 21}]}, "goods.0.unit"),
    ({"goods": "面粉"}, "goods"),
    ({"reporter": {"phone": "13904780001"}}, "reporter.name"),
    ({"reporter": {"name": "王某"}}, "reporter.phone"),
    ({"reporter": {"name": "王某", "phone": "12345"}}, "reporter.phone"),
    ({"reporter": {"name": "王某", "email": "not-an-email"}}, "reporter.email"),
    ({"reporter": {"anonymous": "yes"}}, "reporter.anonymous"),
    ({"principal": {"name": "合" * 121}}, "principal.name"),
    ({"mandate_id": "1"}, "mandate_id"),
    ({"mandate_id": 1}, "mandate_id"),  # anonymous filers have no mandate
    ({"extra": 1}, "extra"),
]


@pytest.mark.parametrize("changes,path", FIELD_CASES, ids=[p for _c, p in FIELD_CASES])
def test_every_field_is_validated_with_its_path(client, changes, path):
    response = client.post("/api/v1/reports", json=payload(**changes))
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert path in fields, fields
    assert all(isinstance(m, str) and m for m in fields[path])
    assert added(Report) == 0


def test_valid_identifiers_and_online_report_without_location(client):
    body = payload(location=None, infringer={
        "name": "张三", "id_number": id_number(), "district": "dengkou",
        "seller_account": "zhangsan_shop"})
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 201, response.get_json()
    report = latest(Report)
    assert report.case.unit.code == "dengkou_amr"
    assert report.case.parties[0].party.id_number == id_number()


def test_mark_by_name_only(client):
    response = client.post("/api/v1/reports", json=payload(trademark={"name": "河套"}))
    assert response.status_code == 201
    assert latest(Report).case.marks[0].reg_no == "90000001"


def test_not_json_is_422(client):
    response = client.post("/api/v1/reports", data="x", content_type="text/plain")
    assert response.status_code == 422
    assert client.post("/api/v1/reports", json=[1]).status_code == 422


def test_retried_call_with_the_same_key_answers_the_same(client):
    headers = {"Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/reports", json=payload(), headers=headers)
    again = client.post("/api/v1/reports", json=payload(), headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    other = client.post("/api/v1/reports", json=payload(description="完全不同的另一份举报。"),
                        headers=headers)
    assert other.status_code == 422
    assert added(Report) == 1


def test_ten_concurrent_identical_submissions_file_one_report(app):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "report_file": (100, 3600)}
    cases_before = added(Case)
    db.session.commit()
    threads_n = 10
    barrier = threading.Barrier(threads_n)
    answers = [None] * threads_n
    body = payload()

    def worker(i):
        with app.app_context():  # each thread: its own client, session and connection
            client = app.test_client()
            barrier.wait(timeout=60)
            response = client.post("/api/v1/reports", json=body,
                                   headers={"Idempotency-Key": "concurrent-key-1"})
            answers[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a request hung"
    codes = sorted(code for code, _body in answers)
    assert codes.count(201) == 1 and codes.count(200) == threads_n - 1, answers
    assert len({json.dumps(body, sort_keys=True) for _code, body in answers}) == 1
    assert added(Report) == 1 and added(Case) == cases_before + 1


def test_openapi_lists_the_report_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    post = paths["/api/v1/reports"]["post"]
    assert {} in post["security"]  # public: no token needed
    assert {"201", "413", "422", "429"} <= set(post["responses"])
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert "/api/v1/reports/{tracking_no}" in paths


def test_credit_code_helper_is_valid():
    from enforcement.parties.identifiers import credit_code_valid

    assert credit_code_valid(credit_code())


def test_status_lookups_are_audited_and_limited(app, client):
    from enforcement.audit.models import AuditEntry

    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "report_status": (3, 600)}
    body = client.post("/api/v1/reports", json=payload()).get_json()
    ok = client.get(f"/api/v1/reports/{body['tracking_no']}",
                    query_string={"access_code": body["access_code"]})
    assert ok.status_code == 200
    # a guesser: the first wrong code counts per address and against the tracking number
    codes = [client.get(f"/api/v1/reports/{body['tracking_no']}",
                        query_string={"access_code": f"WRONG{i}"}).status_code
             for i in range(3)]
    assert codes[0] == 404 and codes[-1] == 429
    limited = client.get(f"/api/v1/reports/{body['tracking_no']}",
                         query_string={"access_code": body["access_code"]})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("report.status%")).order_by(AuditEntry.seq)))
    assert actions[:2] == ["report.status", "report.status_denied"]


def test_filing_with_a_token_files_as_that_account(client, api):
    response = api.as_user("holder_hetao").post("/api/v1/reports", json=payload())
    assert response.status_code == 201
    assert latest(Report).submitted_by.username == "holder_hetao"
    bad = client.post("/api/v1/reports", json=payload(),
                      headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and added(Report) == 1
    staff = api.as_user("linhe_inspector1").post("/api/v1/reports", json=payload())
    assert staff.status_code == 403 and added(Report) == 1
