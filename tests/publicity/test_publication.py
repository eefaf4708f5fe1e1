"""Publishing a decision: the entry, the redacted page and PDF, refusals, the public pages."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from enforcement.cases import services
from enforcement.cases.models import Case
from enforcement.documents.models import Document
from enforcement.errors import Refused
from enforcement.extensions import db
from enforcement.parties.identifiers import id_number_check_char
from enforcement.parties.models import Party, PartyKind
from enforcement.publicity.models import EntryStatus, PublicationEntry
from tests.conftest import case_in_state, user
from tests.publicity.helpers import everything_public, pdf_text, publish

ID_BODY = "15262219800101123"
ID_NUMBER = ID_BODY + id_number_check_char(ID_BODY)


def person_case(phone="13904781234", address="临河区胜利路3号"):
    """The decided demo case, its party made a natural person with an X-check-digit style ID
    number, a phone and a home address in the case file, a phone and address in the facts."""
    case = case_in_state("decided")
    party = case.parties[0].party
    party.kind, party.name, party.credit_code = PartyKind.person, "王二小", None
    party.id_number, party.phone, party.address = ID_NUMBER, phone, address
    db.session.commit()
    return case


def decide_again(case):
    """Correct the decision so its data (party, facts) is the current case file."""
    from enforcement.documents import services as documents

    decision = db.session.scalar(select(Document).where(
        Document.case_id == case.id, Document.doc_type == "penalty_decision"))
    documents.correct(decision.id, user("linhe_head"), "当事人信息更正")
    return db.session.get(Case, case.id)


def test_publishing_makes_an_entry_with_a_redacted_pdf(app, client):
    case = decide_again(person_case())
    entry = publish(case)
    assert entry.status is EntryStatus.active and entry.party_name == "王二小"
    assert entry.party_identifier == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert entry.period_months == 36 and entry.period_ends_on > entry.published_on
    text = pdf_text(entry.pdf)
    assert entry.party_identifier in text and "王二小" in text
    for original in (ID_NUMBER, "13904781234", "胜利路3号"):
        assert original not in text
        assert original.encode() not in entry.pdf
    page = client.get(f"/penalties/{entry.id}").get_data(as_text=True)
    assert entry.party_identifier in page and ID_NUMBER not in page and "13904781234" not in page
    # the case file keeps the original decision and the summary the action issued
    db.session.refresh(case)
    kinds = {d.doc_type for d in db.session.scalars(
        select(Document).where(Document.case_id == case.id))}
    assert {"penalty_decision", "publication_summary"} <= kinds


def test_the_pdf_is_rendered_from_redacted_data_not_covered(app):
    entry = publish(decide_again(person_case()))
    # the stored data the PDF was made from holds no original value at all
    assert ID_NUMBER not in str(entry.redacted_data)
    assert "13904781234" not in str(entry.redacted_data)
    import hashlib
    assert hashlib.sha256(entry.pdf).hexdigest() == entry.sha256


def test_the_heads_extra_masks_reach_page_and_pdf(app, client):
    entry = publish(note="", extra_masks="没收侵权商品\n")
    assert "没收侵权商品" not in pdf_text(entry.pdf)
    assert "没收侵权商品" not in entry.redacted_html
    assert "＊＊＊" in entry.redacted_html


def test_warning_only_decisions_are_refused_with_the_reason(app):
    case = case_in_state("decision_review")
    head = user("linhe_head")
    services.perform(case.id, "decide_penalty", head, MultiDict({
        "violation": "当事人销售侵权商品，情节轻微。", "legal_basis": "《商标法》第六十条",
        "warning": "y", "heavier_reasoning": "五年内第二次侵权（测试）"}),
        expected_version=case.version)
    case = db.session.get(Case, case.id)
    with pytest.raises(Refused) as refused:
        services.perform(case.id, "publish", head, MultiDict(), expected_version=case.version)
    assert any("仅给予警告的行政处罚决定不予公示" in r for r in refused.value.reasons())
    assert db.session.scalar(select(PublicationEntry).where(
        PublicationEntry.case_id == case.id)) is None


def test_public_pages_are_cacheable_and_make_no_session(app, client):
    entry = publish()
    for path in ("/penalties/", f"/penalties/{entry.id}", "/penalties/exposure",
                 "/penalties/feed.atom", f"/penalties/{entry.id}/decision.pdf"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"].startswith("public, max-age="), path
        assert response.headers.get("ETag") and response.headers.get("Last-Modified"), path
        assert "Set-Cookie" not in response.headers, path
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304, path


def test_search_by_name_code_mark_district_and_date(app, client):
    entry = publish()
    def found(query):
        html = client.get(f"/penalties/?{query}").get_data(as_text=True)
        return f"/penalties/{entry.id}\"" in html
    assert found("party=" + entry.party_name[3:8])
    assert found("mark=" + entry.marks[:2])
    assert found("district=linhe") and not found("district=wuyuan")
    day = entry.decided_on
    assert found(f"from={day}&to={day}")
    assert not found(f"from={day + timedelta(days=1)}")
    assert not found("party=没有这个当事人")
    if entry.party_identifier and not entry.party_is_person:
        assert found("code=" + entry.party_identifier)


def test_the_public_api_pages_and_filters(app, client):
    entry = publish()
    body = client.get("/api/v1/public/penalties?district=linhe&page_size=2").get_json()
    assert body["page"] == 1 and body["page_size"] == 2 and len(body["items"]) <= 2
    assert client.get("/api/v1/public/penalties?page_size=100").get_json()["items"][0]["id"] \
        == max(e.id for e in db.session.scalars(select(PublicationEntry).where(
            PublicationEntry.status == EntryStatus.active)))
    named = client.get("/api/v1/public/penalties",
                       query_string={"party": entry.party_name}).get_json()["items"]
    assert [i["id"] for i in named] == [entry.id]
    assert set(named[0]) >= {"decision_number", "party_name", "violation_type", "penalty",
                             "authority", "decided_on"}


def test_no_personal_data_or_reporter_anywhere_public(app, client):
    """The demo's natural persons (ID numbers, phones in the case file) and every reporter."""
    secrets, organisations = set(), []
    for case in db.session.scalars(select(Case)):
        secrets |= {case.reporter_name, case.reporter_contact}
        for cp in case.parties:
            if cp.party.kind is PartyKind.person:
                secrets |= {cp.party.id_number, cp.party.phone, cp.party.address}
            else:  # an organisation's registered address is public (the demo reuses streets)
                organisations.append(f"{cp.party.name} {cp.party.address}")
    secrets = {s for s in secrets if s and len(s) >= 6
               and not any(s in org for org in organisations)}
    assert any(re.fullmatch(r"\d{17}[\dX]", s) for s in secrets)  # ID numbers are in the file
    text = everything_public(client)
    assert [s for s in secrets if s in text] == []


def test_demo_publications(app):
    statuses = {e.status for e in db.session.scalars(select(PublicationEntry))}
    assert {EntryStatus.active, EntryStatus.withdrawn, EntryStatus.taken_down} <= statuses
    people = db.session.scalars(select(PublicationEntry).where(
        PublicationEntry.party_is_person.is_(True))).all()
    assert people and all(re.fullmatch(r"\d{4}\*{10}[\dX]{4}", p.party_identifier)
                          for p in people)
    assert db.session.scalar(select(PublicationEntry).where(
        PublicationEntry.party_is_person.is_(False)))
    assert db.session.scalar(select(Party).where(Party.kind == PartyKind.person,
                                                 Party.phone.is_not(None)))


def test_the_public_api_is_in_the_openapi_document_without_security(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/public/penalties"]["get"]
    assert "security" not in operation
    assert {p["name"] for p in operation["parameters"]} >= {"party", "code", "mark", "district",
                                                           "from", "to", "page", "page_size"}
    assert client.get("/api/v1/public/penalties").status_code == 200  # no token needed
