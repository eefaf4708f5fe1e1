"""Deferred rendering (issue 5): a filing commits its documents numbered and frozen but without
their PDF; the PDF is made once afterwards, by the worker command or on first download or
verification. Runs on SQLite and on PostgreSQL."""
import hashlib
import io
import threading

import pytest
from sqlalchemy import func, select

from enforcement.audit import services as audit_services
from enforcement.audit.models import AuditEntry
from enforcement.documents import rendering, services
from enforcement.documents.models import Document
from enforcement.documents.types import DOC_TYPES
from enforcement.extensions import db
from enforcement.reports import services as reports
from enforcement.reports.models import Report
from tests.conftest import Browser, user
from tests.reports.helpers import payload


def filed_documents(filed) -> dict[str, Document]:
    db.session.rollback()  # read what was committed, from a fresh transaction
    report = db.session.get(Report, filed.report.id)
    return {d.doc_type: d for d in db.session.scalars(
        select(Document).where(Document.case_id == report.case_id))}


@pytest.fixture
def counted_renders(monkeypatch):
    """Every PDF render, by document type (thread-safe)."""
    calls, lock, real = [], threading.Lock(), rendering.render

    def render(code, data):
        with lock:
            calls.append(code)
        return real(code, data)

    monkeypatch.setattr(rendering, "render", render)
    return calls


def test_only_the_report_documents_are_deferred():
    deferred = sorted(code for code, t in DOC_TYPES.items() if t.render == "deferred")
    assert deferred == ["report_form", "report_receipt"]
    assert {t.render for t in DOC_TYPES.values()} == {"sync", "deferred"}


def test_filing_commits_numbered_frozen_documents_without_a_pdf(app, counted_renders):
    filed = reports.file_report(payload())
    documents = filed_documents(filed)
    assert sorted(documents) == ["report_form", "report_receipt"]
    for document in documents.values():
        assert document.render_pending
        assert document.pdf is None and document.sha256 is None and document.page_count is None
        assert document.data["doc"]["verify_code"] == document.verify_code
        assert document.template_version == rendering.template_version(document.doc_type)
    assert documents["report_receipt"].data["tracking_no"] == filed.report.tracking_no
    assert counted_renders == []  # nothing rendered inside the filing


def test_render_pending_fills_them_once(app, runner, counted_renders):
    filed = reports.file_report(payload())
    ids = [d.id for d in filed_documents(filed).values()]
    pending = db.session.scalar(select(func.count()).select_from(Document)
                                .where(Document.render_pending.is_(True)))
    db.session.rollback()
    result = runner.invoke(args=["documents", "render-pending"])
    assert result.exit_code == 0, result.output
    assert f"documents rendered: {pending}" in result.output
    db.session.rollback()
    for document_id in ids:
        document = db.session.get(Document, document_id)
        assert not document.render_pending
        assert document.pdf.startswith(b"%PDF")
        assert document.sha256 == hashlib.sha256(document.pdf).hexdigest()
        assert document.page_count >= 1
    assert db.session.scalar(select(func.count()).select_from(Document)
                             .where(Document.render_pending.is_(True))) == 0
    assert len(counted_renders) == pending
    again = runner.invoke(args=["documents", "render-pending"])
    assert "documents rendered: 0" in again.output and len(counted_renders) == pending


def test_a_pending_document_is_rendered_once_under_two_concurrent_downloads(
        app, counted_renders):
    filed = reports.file_report(payload())
    document_id = filed_documents(filed)["report_form"].id
    db.session.commit()
    barrier = threading.Barrier(2)
    results = [None, None]

    def download(i):
        with app.app_context():
            try:
                actor = user("linhe_inspector1")
                assert actor.permissions
                db.session.commit()
                barrier.wait(timeout=30)
                document, pdf = services.download(document_id, actor, ip="192.0.2.7")
                results[i] = (document.sha256, pdf)
            except Exception as exc:  # noqa: BLE001 — any failure fails the test below
                results[i] = ("error", repr(exc))

    threads = [threading.Thread(target=download, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert results[0][0] != "error" and results[1][0] != "error", results
    assert results[0] == results[1]
    assert counted_renders == ["report_form"]
    db.session.rollback()
    stored = db.session.get(Document, document_id)
    assert not stored.render_pending and stored.pdf == results[0][1]
    assert hashlib.sha256(stored.pdf).hexdigest() == stored.sha256 == results[0][0]
    downloads = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "document.download", AuditEntry.object_id == str(document_id)))
    assert downloads == 2


def test_a_staff_download_of_a_pending_document_serves_the_pdf(app, client, counted_renders):
    filed = reports.file_report(payload())
    document = filed_documents(filed)["report_form"]
    browser = Browser(client)
    browser.login("linhe_inspector1")
    response = client.get(f"/documents/{document.id}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    db.session.rollback()
    stored = db.session.get(Document, document.id)
    assert response.headers["ETag"] == f'"{stored.sha256}"'
    assert counted_renders == ["report_form"]
    # another unit's inspector still finds nothing, and nothing is rendered for it
    other = reports.file_report(payload(infringer__name="临河区另一家粮油店",
                                        infringer__credit_code=None))
    other_id = filed_documents(other)["report_form"].id
    browser.login("wuyuan_inspector1")
    assert client.get(f"/documents/{other_id}/pdf").status_code == 404
    assert db.session.get(Document, other_id).render_pending
    assert counted_renders == ["report_form"]


def test_the_verify_page_says_a_pending_document_is_being_made(app, client):
    filed = reports.file_report(payload())
    document = filed_documents(filed)["report_form"]
    code = document.verify_code
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "正在生成" in page and 'data-status="valid"' in page
    facts = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert facts["pending"] is True and facts["sha256"] is None and facts["pages"] is None
    # comparing a file makes the PDF first, then compares with it
    public = Browser(client)
    token = public.csrf(f"/verify/{code}")
    page = client.post(f"/verify/{code}", data={
        "csrf_token": token, "pdf": (io.BytesIO(b"%PDF-1.4 not it"), "x.pdf", "application/pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-result="different"' in page and "正在生成" not in page
    db.session.rollback()
    stored = db.session.get(Document, document.id)
    assert not stored.render_pending and stored.sha256 in page
    token = public.csrf(f"/verify/{code}")
    page = client.post(f"/verify/{code}", data={
        "csrf_token": token, "pdf": (io.BytesIO(stored.pdf), "x.pdf", "application/pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-result="identical"' in page
    facts = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert facts["pending"] is False and facts["sha256"] == stored.sha256


def test_a_rolled_back_filing_leaves_no_document(app, monkeypatch, counted_renders):
    before = {model: db.session.scalar(select(func.count()).select_from(model))
              for model in (Document, Report)}
    real = audit_services.record

    def record(action, /, **kwargs):
        if action == "report.file":  # the filing's very last step fails
            raise RuntimeError("audit store unavailable")
        return real(action, **kwargs)

    monkeypatch.setattr(audit_services, "record", record)
    received = reports.receive(payload(infringer__name="临河区回滚测试粮油店",
                                       infringer__credit_code=None))
    with pytest.raises(RuntimeError):
        reports.register(received.report.id)
    db.session.rollback()
    after = {model: db.session.scalar(select(func.count()).select_from(model))
             for model in (Document, Report)}
    # the report stays received (the registration is retried); its documents were never made
    assert after == {Document: before[Document], Report: before[Report] + 1}
    assert db.session.get(Report, received.report.id).case_id is None
    assert counted_renders == []


def test_other_document_types_stay_synchronous(app):
    from tests.documents.helpers import document_of_type

    document = document_of_type("filing_approval")
    assert not document.render_pending and document.pdf.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(document.pdf).hexdigest()


def test_the_api_says_pending_and_its_pdf_url_makes_the_pdf(app, api, counted_renders):
    filed = reports.file_report(payload())
    document = filed_documents(filed)["report_receipt"]
    api.as_user("linhe_inspector1")
    body = api.get(f"/api/v1/documents/{document.id}").get_json()
    assert body["pending"] is True and body["sha256"] is None and body["pages"] is None
    assert body["pdf_url"]
    response = api.get(body["pdf_url"])
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    body = api.get(f"/api/v1/documents/{document.id}").get_json()
    assert body["pending"] is False
    assert body["sha256"] == hashlib.sha256(response.data).hexdigest()
    assert counted_renders == ["report_receipt"]


def test_the_reporters_receipt_copy_needs_no_stored_pdf(app, counted_renders):
    filed = reports.file_report(payload())
    report = db.session.get(Report, filed.report.id)
    pdf = reports.receipt_pdf(report, filed.access_code)
    assert pdf.startswith(b"%PDF")
    assert reports.receipt_document(report).render_pending  # the stored copy is still pending
    assert counted_renders == ["report_receipt"]
