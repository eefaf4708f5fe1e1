"""Corrections, service records and immutability: an issued document never changes; a
correction is a new document that revokes the old one, with its reason (DESIGN §5)."""
import pytest
from sqlalchemy import func, select

from enforcement.audit.models import AuditEntry
from enforcement.cases.models import Case
from enforcement.db import local_today
from enforcement.documents import services
from enforcement.documents.chinese import date_text
from enforcement.documents.models import Document, ImmutableDocument
from enforcement.errors import Invalid, NotFound, Refused
from enforcement.extensions import db
from tests.conftest import case_in_state, user
from tests.documents.helpers import act, document_of_type, latest, pdf_text


def test_a_correction_revokes_the_old_document_and_issues_a_new_one(app):
    old = document_of_type("penalty_decision")
    old_id, old_number, old_pdf = old.id, old.number, old.pdf
    version = db.session.get(Case, old.case_id).version

    new = services.correct(old_id, user("linhe_head"), "决定书中当事人住所有误。")

    db.session.expire_all()
    old = db.session.get(Document, old_id)
    assert old.revoked_at is not None and old.revoked_reason == "决定书中当事人住所有误。"
    assert old.revoked_by_id == user("linhe_head").id and old.pdf == old_pdf
    assert new.corrects_id == old_id and new.number != old_number and new.revoked_at is None
    assert new.requires_service and new.served_on is None  # the correction is served anew
    assert "的更正，原文书自本文书作出之日起作废" in pdf_text(new.pdf)
    assert old_number in pdf_text(new.pdf)
    assert db.session.get(Case, old.case_id).version == version + 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "document.correct", AuditEntry.object_id == str(old_id))) == 1


@pytest.mark.parametrize("username,reason,error", [
    ("linhe_inspector1", "理由", Refused),  # no case.decide
    ("linhe_head", "   ", Invalid),
    ("wuyuan_head", "理由", NotFound),  # another unit's case
])
def test_corrections_are_refused_without_permission_or_reason(app, username, reason, error):
    document = document_of_type("penalty_decision")
    with pytest.raises(error):
        services.correct(document.id, user(username), reason)
    db.session.expire_all()
    assert db.session.get(Document, document.id).revoked_at is None


def test_a_revoked_document_and_the_case_number_cannot_be_corrected(app):
    document = document_of_type("penalty_decision")
    services.correct(document.id, user("linhe_head"), "更正。")
    with pytest.raises(Refused):
        services.correct(document.id, user("linhe_head"), "再次更正。")
    with pytest.raises(Refused):
        services.correct(document_of_type("filing_approval").id, user("linhe_head"), "更正。")


def test_the_case_page_offers_the_correction_form_to_deciders(app, browser):
    document = document_of_type("penalty_decision")
    browser.login("linhe_head")
    page = browser.client.get(f"/cases/{document.case_id}").get_data(as_text=True)
    assert f'action="/documents/{document.id}/correct"' in page
    response = browser.post(f"/documents/{document.id}/correct", {"reason": "文号有误。"},
                            token_from=f"/cases/{document.case_id}")
    assert response.status_code == 303
    page = browser.client.get(f"/cases/{document.case_id}").get_data(as_text=True)
    assert "已撤销" in page

    browser.logout()
    browser.login("linhe_inspector1")
    page = browser.client.get(f"/cases/{document.case_id}").get_data(as_text=True)
    assert "/correct" not in page


def test_an_issued_document_cannot_be_changed(app):
    document = document_of_type("filing_approval")
    document.pdf = b"%PDF-1.7 forged"
    with pytest.raises(ImmutableDocument):
        db.session.flush()
    db.session.rollback()
    document = document_of_type("filing_approval")
    document.data = {**document.data, "approval": {}}
    with pytest.raises(ImmutableDocument):
        db.session.flush()


def test_the_service_record_renders_how_and_when_the_document_was_served(app):
    case = case_in_state("notified")
    notice = latest("penalty_notice", case.id)
    (record,) = act(case.id, "record_service", "linhe_inspector1", document=notice.id,
                    method="lodged", served_on=local_today().isoformat(),
                    recipient="当事人之妻李某某")
    text = pdf_text(record.pdf)
    for expected in ("送达回证", f"《{notice.title}》{notice.number}", "留置送达",
                     date_text(local_today()), "当事人之妻李某某", "郑执法", "见证人",
                     "拒绝签收"):
        assert expected in text, expected
    db.session.expire_all()
    assert db.session.get(Document, notice.id).served_on == local_today()


def test_a_corrected_decision_must_be_served_again_before_the_case_closes(app):
    from enforcement.cases.facts import Facts

    case = case_in_state("publicized")  # decision served and published, fine unpaid
    decision = db.session.scalar(select(Document).where(
        Document.case_id == case.id, Document.doc_type == "penalty_decision"))
    assert Facts(case).decision_served
    services.correct(decision.id, user("linhe_head"), "罚款金额笔误。")
    db.session.expire_all()
    facts = Facts(db.session.get(Case, case.id))
    assert not facts.decision_served
    assert facts.unserved_documents >= 1
