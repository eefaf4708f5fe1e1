"""Receiving and registering a report as two steps (REPORT_REGISTRATION = "worker"): the
reporter gets a tracking number at once, the worker (or the reporter's own status check)
registers it, counted from the day it was received; nothing is lost or doubled in between."""
import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from enforcement.audit.models import AuditEntry
from enforcement.cases.models import Case
from enforcement.clocks.models import Clock
from enforcement.evidence.models import Evidence
from enforcement.evidence.storage import get_storage
from enforcement.extensions import db
from enforcement.reports import routing, services
from enforcement.reports.models import Report
from tests.reports.conftest import added
from tests.reports.helpers import jpeg, payload
from tests.reports.test_web import submit


@pytest.fixture
def worker_mode(app):
    app.config["REPORT_REGISTRATION"] = "worker"
    yield
    app.config["REPORT_REGISTRATION"] = "request"


def _file_by_api(client, **changes):
    response = client.post("/api/v1/reports", data={
        "report": json.dumps(payload(**changes), ensure_ascii=False),
        "evidence": [(io.BytesIO(jpeg()), "photo.jpg")]}, content_type="multipart/form-data")
    return response


def _audited(action: str, report_id: int) -> int:
    return len(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == "report",
        AuditEntry.object_id == str(report_id))).all())


def test_received_report_waits_for_the_worker_then_becomes_a_case(client, runner,
                                                                    worker_mode):
    response = _file_by_api(client)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "received" and body["tracking_no"].startswith("JB")
    report = db.session.scalar(select(Report).where(Report.tracking_no == body["tracking_no"]))
    # received: the submission and its file are kept, nothing is registered yet
    assert report.case_id is None and added(Case) == 0 and added(Evidence) == 0
    stored = report.files[0]
    assert stored["name"] == "photo.jpg" and get_storage().exists(stored["key"])
    assert _audited("report.file", report.id) == 0

    result = runner.invoke(args=["reports", "register-pending"])
    assert result.exit_code == 0 and "reports registered: 1, failed: 0" in result.output
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    case = report.case
    assert case.unit.code == "linhe_amr" and case.state.value == "registered"
    evidence = db.session.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()
    assert [(e.storage_key, e.sha256) for e in evidence] == [(stored["key"], stored["sha256"])]
    assert _audited("report.file", report.id) == 1
    # a second round finds nothing to do
    again = runner.invoke(args=["reports", "register-pending"])
    assert "reports registered: 0, failed: 0" in again.output
    assert added(Case) == 1


def test_the_verification_clock_counts_from_the_day_of_receipt(app, worker_mode):
    filed = services.file_report(payload())
    report = db.session.get(Report, filed.report.id)
    # received on Friday 20 November 2026 (Beijing time), registered only now
    report.created_at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    db.session.commit()
    assert services.register_pending() == (1, 0)
    clock = db.session.scalar(select(Clock).where(Clock.case_id == report.case_id,
                                                  Clock.kind == "verification"))
    assert clock.started_on == date(2026, 11, 20)
    # 15 working days from Friday 20 November: Friday 11 December
    assert clock.due_on == date(2026, 12, 11)


def test_the_reporters_status_check_registers_a_waiting_report(client, worker_mode):
    body = _file_by_api(client).get_json()
    status = client.get(f"/api/v1/reports/{body['tracking_no']}",
                        query_string={"access_code": body["access_code"]})
    assert status.status_code == 200
    assert status.get_json()["status"] == "registered"
    assert status.get_json()["verification_due"]
    assert added(Case) == 1
    assert services.register_pending() == (0, 0)


def test_the_web_receipt_registers_and_the_pdf_follows(browser, worker_mode):
    response = submit(browser, files=[(jpeg(), "现场.jpg")])
    assert response.status_code == 303
    assert added(Report) == 1 and added(Case) == 0
    receipt = browser.client.get("/portal/report/receipt")
    assert receipt.status_code == 200
    html = receipt.get_data(as_text=True)
    assert "您的举报已经登记" in html and "执法人员正在核查" in html
    assert added(Case) == 1 and added(Evidence) == 1
    pdf = browser.client.get("/portal/report/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_two_registrars_register_a_report_once(app, worker_mode):
    filed = services.file_report(payload())
    assert services.register(filed.report.id) is True
    assert services.register(filed.report.id) is False
    assert added(Case) == 1


def test_a_failed_registration_keeps_the_report_and_is_retried(app, client, worker_mode,
                                                               monkeypatch):
    body = _file_by_api(client).get_json()
    report = db.session.scalar(select(Report).where(Report.tracking_no == body["tracking_no"]))

    def broken(*args, **kwargs):
        raise RuntimeError("routing table unavailable")

    monkeypatch.setattr(services, "receiving_unit", broken)
    assert services.register_pending() == (0, 1)
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    # nothing half-written: no case, no evidence row, the file still held by the report
    assert report.case_id is None and added(Case) == 0 and added(Evidence) == 0
    assert report.attempts == 1 and "routing table unavailable" in report.last_error
    assert get_storage().exists(report.files[0]["key"])
    # the reporter sees it as received, not an error
    status = client.get(f"/api/v1/reports/{body['tracking_no']}",
                        query_string={"access_code": body["access_code"]})
    assert status.status_code == 200 and status.get_json()["status"] == "received"
    assert "正在登记" in status.get_json()["stage"]
    monkeypatch.setattr(services, "receiving_unit", routing.receiving_unit)
    assert services.register_pending() == (1, 0)
    db.session.expire_all()
    assert db.session.get(Report, report.id).case.unit.code == "linhe_amr"


def test_the_worker_gives_up_after_the_configured_attempts(app, worker_mode, monkeypatch):
    app.config["REPORT_MAX_ATTEMPTS"] = 2
    filed = services.file_report(payload())

    def broken(*args, **kwargs):
        raise RuntimeError("still broken")

    monkeypatch.setattr(services, "receiving_unit", broken)
    assert services.register_pending() == (0, 1)
    assert services.register_pending() == (0, 1)
    assert services.register_pending() == (0, 0)  # left to an operator
    assert db.session.get(Report, filed.report.id).attempts == 2


def test_in_request_mode_a_failed_registration_still_gives_the_receipt(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("routing table unavailable")

    monkeypatch.setattr(services, "receiving_unit", broken)
    response = client.post("/api/v1/reports", json=payload())
    assert response.status_code == 202 and response.get_json()["status"] == "received"
    assert added(Report) == 1 and added(Case) == 0


def test_a_retry_of_a_waiting_report_gets_the_first_answer(client, worker_mode):
    headers = {"Idempotency-Key": "intake-retry-1"}
    first = client.post("/api/v1/reports", json=payload(), headers=headers)
    again = client.post("/api/v1/reports", json=payload(), headers=headers)
    assert first.status_code == 202 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert added(Report) == 1


def test_staff_find_the_case_by_the_reporters_tracking_number(browser):
    filed = services.file_report(payload())
    case_no = db.session.get(Report, filed.report.id).case.report_no
    browser.login("linhe_unit_head")
    page = browser.client.get("/cases/", query_string={"q": filed.report.tracking_no.lower()})
    assert page.status_code == 200
    assert case_no in page.get_data(as_text=True)
    other = browser.client.get("/cases/", query_string={"q": "JB20261128AAAAAA"})
    assert case_no not in other.get_data(as_text=True)


def test_rate_limits_counted_in_redis_leave_the_database_alone(app, client):
    """RATE_LIMIT_STORAGE_URL: the counters live in the local Redis (which the test needs:
    it fails, not skips, when Redis is not running)."""
    import uuid

    import redis

    from enforcement.reports.models import RateWindow

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).ping()
    app.config["RATE_LIMIT_STORAGE_URL"] = url
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "report_file": (2, 3600)}
    # an address of its own, so that earlier runs within the hour do not count
    address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    windows = db.session.scalar(select(func.count()).select_from(RateWindow))
    codes = [client.post("/api/v1/reports", json=payload(infringer__name=f"粮油店{i}"),
                         environ_base={"REMOTE_ADDR": address}).status_code
             for i in range(3)]
    assert codes == [201, 201, 429]
    assert added(Report) == 2
    assert db.session.scalar(select(func.count()).select_from(RateWindow)) == windows
    keys = redis.Redis.from_url(url).keys(f"enforcement:rate:report_file:{address}:*")
    assert len(keys) == 1 and 0 < redis.Redis.from_url(url).ttl(keys[0]) <= 3605


def test_a_failing_redis_falls_back_to_the_database_counter(app, client, caplog):
    """Redis down (nothing listens on port 1): filing works and the limit still holds."""
    import uuid

    from enforcement.reports.models import RateWindow

    app.config["RATE_LIMIT_STORAGE_URL"] = "redis://127.0.0.1:1/0"
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "report_file": (1, 3600)}
    address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    codes = [client.post("/api/v1/reports", json=payload(infringer__name=f"粮油店{i}"),
                         environ_base={"REMOTE_ADDR": address}).status_code for i in range(2)]
    assert codes == [201, 429]
    assert db.session.scalar(select(RateWindow.hits).where(
        RateWindow.bucket == f"report_file:{address}")) == 2
    assert "counting in the database" in caplog.text
