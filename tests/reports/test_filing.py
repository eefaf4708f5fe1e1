"""Filing through the service: routing, clocks, linking, filers, documents, refusals."""
import re

import pytest
from sqlalchemy import select

from enforcement.accounts.models import Mandate
from enforcement.audit.models import AuditEntry
from enforcement.cases.models import Case, CaseSource
from enforcement.clocks.models import Clock
from enforcement.documents.models import Document
from enforcement.errors import Invalid, Refused
from enforcement.evidence.models import Evidence
from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.reports import services
from enforcement.reports.models import Report
from tests.conftest import user
from tests.reports.conftest import added
from tests.reports.helpers import jpeg, payload, upload
from workflows.states import CaseState


def unit(code):
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))



def test_anonymous_report_lands_in_the_district_registered_with_its_clock(app):
    filed = services.file_report(payload(reporter={"anonymous": True, "name": "留下的名字"}),
                                 ip="203.0.113.5", files=[upload(jpeg(), "photo.jpg")])
    report = db.session.get(Report, filed.report.id)
    case = report.case
    assert case.unit.code == "linhe_amr"
    assert case.state is CaseState.registered
    assert case.source is CaseSource.portal
    # the reporter's tracking number: JB, the day of receipt, six random characters; the
    # case has its own 登记编号 in the bureau's sequence
    assert re.fullmatch(r"JB\d{8}[A-Z2-9]{6}", report.tracking_no)
    assert case.report_no.startswith(f"JB{local_today().year}")
    assert case.report_no != report.tracking_no
    assert report.anonymous and report.reporter_name is None and case.reporter_name is None
    assert case.created_by_id is None and not case.reporter_is_named
    clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id,
                                                  Clock.kind == "verification"))
    assert clock is not None and clock.due_on is not None
    assert [m.reg_no for m in case.marks] == ["90000001"] and case.marks[0].name == "河套"
    evidence = db.session.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()
    assert [e.content_type for e in evidence] == ["image/jpeg"]
    types = sorted(db.session.scalars(select(Document.doc_type)
                                      .where(Document.case_id == case.id)))
    assert types == ["report_form", "report_receipt"]
    # the code is shown once and stored only as a hash
    assert len(filed.access_code) == 12 and filed.access_code not in report.access_code_hash
    assert services.find_report(report.tracking_no, filed.access_code).id == report.id
    assert services.find_report(report.tracking_no, "WRONG-CODE-0000") is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.file")
                            .order_by(AuditEntry.seq.desc()).limit(1))
    assert entry.object_id == str(report.id) and entry.ip == "203.0.113.5"


def test_receipt_pdf_carries_tracking_number_and_access_code(app):
    import io

    from pypdf import PdfReader

    filed = services.file_report(payload())
    report = db.session.get(Report, filed.report.id)
    text = "".join(page.extract_text() for page in
                   PdfReader(io.BytesIO(services.receipt_pdf(report, filed.access_code))).pages)
    assert report.tracking_no in text
    assert services.format_code(filed.access_code) in text
    stored = services.receipt_document(report)
    assert filed.access_code not in str(stored.data)


def test_online_shop_goes_to_the_sellers_district_and_unknown_to_the_city(app):
    online = services.file_report(payload(
        location=None, infringer={"name": "河套优选旗舰店", "district": "wuyuan",
                                  "shop_url": "https://shop.example.com/hetao"}))
    assert db.session.get(Report, online.report.id).case.unit.code == "wuyuan_amr"
    unknown = services.file_report(payload(infringer={"name": "某流动摊贩",
                                                      "district": "unknown"}))
    case = db.session.get(Report, unknown.report.id).case
    assert case.unit.code == "city_amr" and case.district == "city"


def test_rights_holder_files_in_its_own_name_and_sees_the_case(app):
    from enforcement.cases.scope import can_read

    holder = user("holder_hetao")
    filed = services.file_report(payload(), submitted_by=holder)
    case = db.session.get(Report, filed.report.id).case
    assert case.reporter_user_id == holder.id and case.reporter_name == "王某"
    assert can_read(user("holder_hetao"), case)
    assert not can_read(user("holder_weixin"), case)


def test_agent_files_under_a_mandate_for_its_principal(app):
    agent = user("holder_weixin")
    mandate = Mandate(agent_user_id=agent.id, principal_name="巴彦淖尔市河套农产品协会",
                      mark_numbers=["90000001"], original_name="委托书.pdf",
                      content_type="application/pdf", size=1, sha256="0" * 64,
                      storage_key="k" * 40)
    db.session.add(mandate)
    db.session.commit()
    filed = services.file_report(payload(mandate_id=mandate.id), submitted_by=agent)
    report = db.session.get(Report, filed.report.id)
    assert report.mandate_id == mandate.id
    assert report.principal_name == "巴彦淖尔市河套农产品协会"
    # the mandate covers 河套 only: another mark is refused, and nothing is filed
    before = added(Report)
    with pytest.raises(Invalid) as refused:
        services.file_report(payload(trademark={"registration_no": "90000004"},
                                     mandate_id=mandate.id), submitted_by=user("holder_weixin"))
    assert "trademark.registration_no" in refused.value.errors
    assert added(Report) == before
    # someone else's mandate is not usable
    with pytest.raises(Invalid) as foreign:
        services.file_report(payload(mandate_id=mandate.id), submitted_by=user("holder_hetao"))
    assert "mandate_id" in foreign.value.errors


def test_station_files_for_a_cooperative(app):
    station = user("station_linhe")
    with pytest.raises(Invalid) as missing:
        services.file_report(payload(), submitted_by=station)
    assert set(missing.value.errors) == {"principal.name", "principal.contact"}
    filed = services.file_report(payload(principal={"name": "临河区丰收种植合作社",
                                                    "contact": "13904780002"}),
                                 submitted_by=user("station_linhe"))
    report = db.session.get(Report, filed.report.id)
    case = report.case
    assert case.unit.code == "linhe_amr" and case.state is CaseState.registered
    assert case.source is CaseSource.station
    assert case.filed_by_unit_id == unit("linhe_station").id == report.filed_by_unit_id
    assert case.reporter_name == "临河区丰收种植合作社"
    assert services.receipt_document(report).data["addressee"] == "临河区丰收种植合作社"


def test_staff_cannot_file_through_the_portal(app):
    with pytest.raises(Refused):
        services.file_report(payload(), submitted_by=user("linhe_inspector1"))
    assert added(Report) == 0


def test_same_infringer_and_mark_joins_the_open_case(app):
    first = services.file_report(payload())
    cases_before = added(Case)
    # the same shop by its credit code, typed by another reporter with a different address
    second = services.file_report(payload(infringer__address="新华街十二号",
                                          reporter={"name": "李某", "phone": "13904780003"}))
    one, two = (db.session.get(Report, r.report.id) for r in (first, second))
    assert two.linked and two.case_id == one.case_id
    assert two.tracking_no != one.tracking_no
    assert added(Case) == cases_before
    assert services.receipt_document(two).data["tracking_no"] == two.tracking_no
    # another mark of the same shop is another case
    third = services.file_report(payload(trademark={"registration_no": "90000008"}))
    assert db.session.get(Report, third.report.id).case_id != one.case_id


def test_a_closed_case_is_not_joined(app):
    first = services.file_report(payload())
    case = db.session.get(Report, first.report.id).case
    case.state = CaseState.not_filed
    db.session.commit()
    again = services.file_report(payload())
    assert db.session.get(Report, again.report.id).case_id != case.id


def test_same_idempotency_key_files_once(app):
    first = services.file_report(payload(), idempotency_key="k-1")
    again = services.file_report(payload(), idempotency_key="k-1")
    assert not again.created and again.report.id == first.report.id
    assert again.access_code == first.access_code
    with pytest.raises(services.KeyReused):
        services.file_report(payload(description="另一份不同的举报内容。"),
                             idempotency_key="k-1")
    assert added(Report) == 1


def test_demo_reports_are_filed_once(app):
    from enforcement.reports.demo import seed_reports
    from tests.conftest import DEMO_PASSWORD

    demo = {r.idempotency_key: r for r in db.session.scalars(
        select(Report).where(Report.idempotency_key.like("demo:%")))}
    assert set(demo) == {"demo:agent-hetao", "demo:station-linhe", "demo:anonymous-online"}
    assert demo["demo:agent-hetao"].mandate.agent.username == "agent_zhixin"
    assert demo["demo:station-linhe"].case.filed_by_unit.code == "linhe_station"
    assert demo["demo:anonymous-online"].case.unit.code == "city_amr"
    assert demo["demo:agent-hetao"].case.unit.code == "wuyuan_amr"
    assert seed_reports(DEMO_PASSWORD) == 0
    assert added(Report) == 0
