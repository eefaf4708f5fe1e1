"""Downloads: the stored bytes with the right headers, jurisdiction checked exactly as for the
case, receivers only the documents sent to them, and every download audited (DESIGN §1, §8)."""
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from enforcement.audit.models import AuditEntry
from enforcement.extensions import db
from tests.conftest import case_in_state
from tests.documents.helpers import document_of_type, latest


def audit_count(action, document_id) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == "document",
        AuditEntry.object_id == str(document_id)))


def check_pdf_response(response, document):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["ETag"] == f'"{document.sha256}"'
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="document-{document.id}.pdf"' in disposition
    assert "filename*=UTF-8''" + quote(f"{document.title}_{document.number}.pdf",
                                       safe="") in disposition
    assert response.data == document.pdf


def test_the_case_page_lists_documents_with_download_links(app, browser):
    document = document_of_type("penalty_decision")
    browser.login("linhe_inspector1")
    page = browser.client.get(f"/cases/{document.case_id}").get_data(as_text=True)
    assert f'href="/documents/{document.id}/pdf"' in page
    for header in ("文书名称", "文号", "作出时间", "送达", "下载"):
        assert f'<th scope="col">{header}</th>' in page


def test_download_returns_the_same_bytes_every_time_and_is_audited(app, browser):
    document = document_of_type("penalty_decision")
    browser.login("linhe_inspector1")
    for _ in range(2):
        check_pdf_response(browser.client.get(f"/documents/{document.id}/pdf"), document)
    assert audit_count("document.download", document.id) == 2


def test_another_units_document_is_not_found_and_the_attempt_is_audited(app, browser):
    document = document_of_type("penalty_decision")
    browser.login("wuyuan_inspector1")
    assert browser.client.get(f"/documents/{document.id}/pdf").status_code == 404
    assert browser.client.get("/documents/999999/pdf").status_code == 404
    assert audit_count("document.download", document.id) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "access.denied", AuditEntry.object_id == str(document.case_id)))


@pytest.mark.parametrize("username,state,allowed,refused", [
    ("police_linhe", "referred", "transfer_letter", "filing_approval"),
    ("court_linhe", "court_enforcement", "penalty_decision", "filing_approval"),
])
def test_receivers_get_only_the_documents_sent_to_them(app, browser, username, state, allowed,
                                                       refused):
    case = case_in_state(state)
    sent, kept = latest(allowed, case.id), latest(refused, case.id)
    browser.login(username)
    check_pdf_response(browser.client.get(f"/documents/{sent.id}/pdf"), sent)
    assert browser.client.get(f"/documents/{kept.id}/pdf").status_code == 404
    assert audit_count("access.denied", kept.id) == 1


def test_the_api_gives_metadata_or_the_pdf(app, api):
    document = document_of_type("penalty_decision")
    api.as_user("linhe_inspector1")
    meta = api.get(f"/api/v1/documents/{document.id}")
    assert meta.status_code == 200 and meta.is_json
    body = meta.get_json()
    assert body["number"] == document.number and body["sha256"] == document.sha256
    assert body["verify_url"].endswith(f"/verify/{document.verify_code}")
    assert body["pages"] == document.page_count and body["revoked"] is False
    check_pdf_response(api.get(f"/api/v1/documents/{document.id}",
                               headers={"Accept": "application/pdf"}), document)
    check_pdf_response(api.get(f"/api/v1/documents/{document.id}?format=pdf"), document)
    assert audit_count("document.download", document.id) == 2


def test_the_api_checks_jurisdiction_and_tokens(app, api, client):
    document = document_of_type("penalty_decision")
    assert client.get(f"/api/v1/documents/{document.id}").status_code == 401
    api.as_user("wuyuan_inspector1")
    assert api.get(f"/api/v1/documents/{document.id}").status_code == 404
    assert api.get(f"/api/v1/documents/{document.id}?format=pdf").status_code == 404
    api.as_user("police_linhe")
    filing = latest("filing_approval", case_in_state("referred").id)
    assert api.get(f"/api/v1/documents/{filing.id}").status_code == 404


def test_the_openapi_document_describes_documents_and_verification(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/documents/{document_id}"]
    assert "get" in paths["/verify/{code}"]
