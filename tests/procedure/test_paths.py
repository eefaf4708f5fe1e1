"""The whole administrative procedure through HTTP, as the 临河区 bureau's people take it:
unit head, two inspectors, legal reviewer and bureau head in turn (DESIGN §2, issue 6)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from enforcement.cases.facts import closing_checklist
from enforcement.cases.models import Case, CaseEvent
from enforcement.clocks.models import ClockStatus
from enforcement.db import acting_as_of, local_today
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.referrals.models import SupplierLead
from tests.conftest import user
from tests.documents.helpers import pdf_text
from tests.procedure.desk import (
    Desk,
    clocks,
    document,
    documents,
    flashes,
    register,
    rows,
    state,
    status,
    unit_id,
    working_days_ahead,
)

INSPECTOR, COLLEAGUE = "linhe_inspector1", "linhe_inspector2"
UNIT_HEAD, REVIEWER, HEAD = "linhe_unit_head", "linhe_reviewer", "linhe_head"


@pytest.fixture
def desk(client):
    return Desk(client)


def assert_issued(issued, *doc_types):
    """Each document issued by the step: its type, a number where the type has one, a PDF."""
    assert sorted(d.doc_type for d in issued) == sorted(doc_types), [d.doc_type for d in issued]
    for d in issued:
        assert d.pdf[:5] == b"%PDF-", d.doc_type
        assert d.sha256 and d.page_count >= 1
        if d.doc_type in NUMBERED:
            assert d.number and "〔" in d.number, d.doc_type


NUMBERED = {"filing_approval", "coercive_measure_decision", "correction_order", "penalty_notice",
            "hearing_notice", "penalty_decision", "no_penalty_decision",
            "supplier_referral_letter"}


def serve(desk, case_id, doc_type, on=None):
    target = document(case_id, doc_type)
    issued = desk.as_(INSPECTOR).do(case_id, "record_service", document=target.id,
                                    method="direct", served_on=(on or local_today()).isoformat(),
                                    recipient="当事人")
    assert_issued(issued, "service_record")
    assert document(case_id, doc_type).served_on == (on or local_today())


# -- the steps every path shares ------------------------------------------------------------
def file_case(desk) -> int:
    case_id = register()
    assert status(case_id, "verification") == "running"
    desk.as_(UNIT_HEAD).do(case_id, "assign",
                           inspectors=[user(INSPECTOR).id, user(COLLEAGUE).id])
    assert state(case_id)[0] == "verifying"
    desk.as_(INSPECTOR).do(case_id, "propose_filing", cause="涉嫌销售侵犯注册商标专用权的商品",
                           facts="现场核查，店内陈列涉嫌假冒“河套”雪花粉。", proposal="file",
                           reason="涉嫌违反《商标法》第五十七条第（三）项。")
    issued = desk.as_(HEAD).do(case_id, "approve_filing", opinion="同意立案。")
    assert_issued(issued, "filing_approval")
    case = db.session.get(Case, case_id)
    assert case.case_no == issued[0].number
    assert (status(case_id, "verification"), status(case_id, "decision")) == ("met", "running")
    return case_id


def investigate(desk, case_id, *, outcome="penalty", fine="20000"):
    desk.as_(INSPECTOR)
    assert_issued(desk.do(case_id, "record_inspection", place="临河区解放街9号",
                          held_on=local_today().isoformat(),
                          content="店内货架陈列“河套”雪花粉30袋，包装与正品不符。"),
                  "inspection_record")
    assert_issued(desk.do(case_id, "record_inquiry", person="王某（店主）",
                          held_on=local_today().isoformat(),
                          content="问：面粉从何处购进？\n答：从五原县某批发部购进。"),
                  "inquiry_record")
    assert_issued(desk.do(case_id, "record_sampling", goods="“河套”雪花粉", quantity="2袋",
                          held_on=local_today().isoformat()), "sampling_record")
    issued = desk.do(case_id, "impose_measure", measure="seize", place="临河区解放街9号",
                     legal_basis="《商标法》第六十二条第一款第（四）项",
                     **rows("goods", {"name": "“河套”雪花粉", "spec": "25公斤装", "quantity": "28",
                                      "unit": "袋", "location": "本局涉案物品仓库"},
                            {"name": "外包装袋", "quantity": "40", "unit": "个"}))
    assert_issued(issued, "coercive_measure_decision", "property_list")
    assert status(case_id, "seizure") == "running"
    assert_issued(desk.do(case_id, "order_correction", violation="销售侵犯注册商标专用权的面粉",
                          correct_by=(local_today() + timedelta(days=3)).isoformat(),
                          legal_basis="《商标法》第六十条第二款"), "correction_order")
    desk.do(case_id, "compute_business_volume", note="销售价格有进销货单据证明。",
            **rows("lines",
                   {"name": "“河套”雪花粉", "status": "sold", "quantity": "12", "unit": "袋",
                    "price": "85", "price_basis": "actual_price"},
                   {"name": "“河套”雪花粉", "status": "unsold", "quantity": "28", "unit": "袋",
                    "price": "88", "price_basis": "marked_price"}))
    assert db.session.get(Case, case_id).business_volume == Decimal("3484.00")  # 1020 + 2464
    measure = document(case_id, "coercive_measure_decision")
    desk.do(case_id, "release_measure", measure_document=measure.id, reason="已作出处理决定。")
    assert status(case_id, "seizure") == "met"
    issued = desk.do(case_id, "finish_investigation", outcome=outcome,
                     findings="当事人销售假冒“河套”注册商标的面粉，事实清楚。",
                     proposed_fine=fine if outcome == "penalty" else None,
                     penalty_items="没收侵权商品，罚款。" if outcome == "penalty" else None)
    assert_issued(issued, "investigation_report")
    assert status(case_id, "legal_review") == "running"


def notify(desk, case_id, hearing_rights=False):
    issued = desk.as_(REVIEWER).do(case_id, "pass_review", opinion="事实清楚，适用法律正确。",
                                   hearing_rights="y" if hearing_rights else None)
    assert_issued(issued, "review_form", "penalty_notice")
    assert (state(case_id)[0], status(case_id, "legal_review")) == ("notified", "met")
    serve(desk, case_id, "penalty_notice")
    assert status(case_id, "statement") == "running"


def decide_and_close(desk, case_id, fine="20000"):
    issued = desk.as_(HEAD).do(case_id, "decide_penalty",
                               violation="当事人销售侵犯“河套”注册商标专用权的面粉。",
                               legal_basis="《商标法》第五十七条第（三）项、第六十条第二款",
                               order_to_stop="y", fine=fine,
                               confiscated_goods="没收、销毁侵权面粉28袋")
    assert_issued(issued, "penalty_decision")
    assert (status(case_id, "decision"), status(case_id, "decision_service"),
            status(case_id, "publication")) == ("met", "running", "running")
    serve(desk, case_id, "penalty_decision")
    assert (status(case_id, "decision_service"), status(case_id, "payment")) == ("met", "running")
    assert_issued(desk.as_(HEAD).do(case_id, "publish"), "publication_summary")
    assert status(case_id, "publication") == "met"

    # closing with the fine unpaid is refused, with what is missing, and changes nothing
    before = state(case_id)
    desk.as_(HEAD).post(case_id, "close", summary="结案。")
    assert "罚没款尚未缴清" in flashes(desk) and state(case_id) == before
    checks = {c["code"]: c["met"] for c in closing_checklist(db.session.get(Case, case_id))}
    assert checks == {"decision_served": True, "published_if_required": True,
                      "paid_or_enforced": False, "goods_handed_over": True}

    form = desk.as_(INSPECTOR).page(f"/cases/{case_id}/actions/record_payment")
    assert 'data-surcharge="0.00"' in form  # paid within the period: no surcharge
    desk.do(case_id, "record_payment", amount=fine, paid_on=local_today().isoformat(),
            reference="BANK-2026-001")
    assert status(case_id, "payment") == "met"
    assert status(case_id, "closing") == "running"  # the last obligation is met
    checklist = desk.as_(HEAD).page(f"/cases/{case_id}/actions/close")
    for code in ("decision_served", "published_if_required", "paid_or_enforced"):
        assert f'data-check="{code}" data-met="yes"' in checklist
    assert_issued(desk.as_(HEAD).do(case_id, "close", summary="罚没款已缴清，予以结案。"),
                  "closing_approval")
    assert state(case_id)[0] == "closed"
    assert status(case_id, "closing") == "met"
    opened = [c for kind in ("decision", "legal_review", "statement", "payment", "seizure")
              for c in clocks(case_id, kind)]
    assert all(c.status is not ClockStatus.running for c in opened)


# -- the paths -------------------------------------------------------------------------------
def test_without_a_hearing_from_report_to_closing(app, desk):
    case_id = file_case(desk)
    investigate(desk, case_id)
    notify(desk, case_id)
    # a statement is re-examined; a decision must wait for the statement window
    issued = desk.as_(INSPECTOR).do(case_id, "record_statement", kind="statement",
                                    content="当事人称不知道是假冒商品。",
                                    re_examination="当事人未提供合法来源证明，申辩理由不成立。")
    assert_issued(issued, "statement_record")
    before = state(case_id)
    desk.post(case_id, "submit_for_decision")
    assert "陈述、申辩期限尚未届满" in flashes(desk) and state(case_id) == before
    statement_due = clocks(case_id, "statement")[-1].due_on
    with acting_as_of(statement_due + timedelta(days=1)):
        desk.as_(INSPECTOR).do(case_id, "submit_for_decision")
        assert (state(case_id)[0], status(case_id, "statement")) == ("decision_review", "met")
        decide_and_close(desk, case_id)
    kinds = [d.doc_type for d in documents(case_id)]
    for expected in ("filing_approval", "inspection_record", "inquiry_record", "sampling_record",
                     "coercive_measure_decision", "property_list", "correction_order",
                     "investigation_report", "review_form", "penalty_notice", "statement_record",
                     "penalty_decision", "publication_summary", "closing_approval"):
        assert expected in kinds, expected


def test_with_a_hearing_served_late_then_rescheduled(app, desk):
    case_id = file_case(desk)
    investigate(desk, case_id, fine="150000")
    notify(desk, case_id, hearing_rights=True)
    hearing_on = working_days_ahead(local_today(), 10)
    issued = desk.as_(INSPECTOR).do(case_id, "request_hearing", hearing_on=hearing_on.isoformat(),
                                    place="临河区市场监管局听证室", host="周法制")
    assert_issued(issued, "hearing_notice")
    assert (status(case_id, "decision"), status(case_id, "statement"),
            status(case_id, "hearing_notice")) == ("paused", "met", "running")
    last_day = clocks(case_id, "hearing_notice")[-1].due_on

    # the notice reached the party only the day after the last day: no hearing on that date
    late = last_day + timedelta(days=1)
    with acting_as_of(late):
        serve(desk, case_id, "hearing_notice", on=late)
    with acting_as_of(hearing_on):
        before = state(case_id)
        desk.as_(REVIEWER).post(case_id, "conclude_hearing", record="笔录。", report="报告。")
        assert "听证通知书尚未在听证七个工作日前送达当事人" in flashes(desk)
        assert state(case_id) == before

        # rescheduling: a date closer than 7 working days is refused with the earliest one
        response = desk.as_(INSPECTOR).post(
            case_id, "reschedule_hearing", hearing_on=working_days_ahead(hearing_on, 3),
            place="听证室", host="周法制", reason="通知书送达迟延。")
        assert response.status_code == 422
        assert "最早可定于 " + working_days_ahead(hearing_on, 7).isoformat() in \
            response.get_data(as_text=True)
        new_day = working_days_ahead(hearing_on, 8)
        issued = desk.do(case_id, "reschedule_hearing", hearing_on=new_day.isoformat(),
                         place="听证室", host="周法制", reason="通知书送达迟延，重新通知。")
        assert_issued(issued, "hearing_notice")
        old = [d for d in documents(case_id) if d.doc_type == "hearing_notice"][0]
        assert old.revoked_at is None  # served notices stay; only unserved ones give way
        serve(desk, case_id, "hearing_notice", on=hearing_on)
        desk.as_(REVIEWER).post(case_id, "conclude_hearing", record="笔录。", report="报告。")
        assert "尚未到通知的听证日期" in flashes(desk)
    with acting_as_of(new_day):
        issued = desk.as_(REVIEWER).do(case_id, "conclude_hearing",
                                       record="调查人员陈述了违法事实；当事人进行了申辩。",
                                       report="申辩理由不能成立，建议维持拟处罚意见。")
        assert_issued(issued, "hearing_record", "hearing_report")
        assert (state(case_id)[0], status(case_id, "decision"),
                status(case_id, "hearing_notice")) == ("decision_review", "running", "met")
        decide_and_close(desk, case_id, fine="150000")
    decision = document(case_id, "penalty_decision")
    assert decision.data["hearing"]["on"] == new_day.isoformat()


def test_seller_exemption_refers_the_supplier_to_its_bureau(app, desk):
    case_id = file_case(desk)
    investigate(desk, case_id, outcome="no_penalty")
    notify(desk, case_id)
    desk.as_(INSPECTOR).do(case_id, "record_statement", kind="waiver",
                           content="当事人书面放弃陈述、申辩。")
    desk.do(case_id, "submit_for_decision")
    fields = dict(ground="seller_exemption", legal_basis="《商标法》第六十条第二款",
                  facts="当事人提供了进货单据，能证明该商品系合法取得并说明了提供者。")
    # the supplier must be named, with a valid credit code
    response = desk.as_(HEAD).post(case_id, "decide_no_penalty", **fields,
                                   supplier_credit_code="91150821MA0X00000Y")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写商品提供者名称" in text
    assert "统一社会信用代码" in text and state(case_id)[0] == "decision_review"

    issued = desk.do(case_id, "decide_no_penalty", **fields,
                     supplier_name="五原县某粮油批发部", supplier_address="五原县隆兴昌镇建设路8号",
                     supplier_unit=unit_id("wuyuan_amr"))
    assert_issued(issued, "no_penalty_decision", "supplier_referral_letter")
    decision, letter = (document(case_id, t) for t in ("no_penalty_decision",
                                                       "supplier_referral_letter"))
    # ordered to stop selling, without a fine; the supplier named in the decision and letter
    decision_text, letter_text = pdf_text(decision.pdf), pdf_text(letter.pdf)
    assert "责令当事人立即停止销售" in decision_text and "罚款" not in decision_text
    assert "五原县某粮油批发部" in decision_text
    wuyuan = db.session.get(OrgUnit, unit_id("wuyuan_amr")).name
    assert letter.data["addressee"] == wuyuan and wuyuan in letter_text
    assert decision.number in letter_text and "移送你局依法处理" in letter_text
    lead = db.session.scalar(select(SupplierLead).where(SupplierLead.case_id == case_id))
    assert (lead.name, lead.unit_id, lead.letter_id) == ("五原县某粮油批发部",
                                                          unit_id("wuyuan_amr"), letter.id)
    # the receiving bureau sees the lead as a registered case; the sender's staff do not
    lead_case = db.session.get(Case, lead.lead_case_id)
    assert (lead_case.state.value, lead_case.unit_id) == ("registered", unit_id("wuyuan_amr"))
    assert lead_case.parties[0].party.name == "五原县某粮油批发部"
    assert letter.number in lead_case.summary
    assert desk.as_("wuyuan_unit_head").client.get(f"/cases/{lead_case.id}").status_code == 200
    assert desk.as_(INSPECTOR).client.get(f"/cases/{lead_case.id}").status_code == 404

    serve(desk, case_id, "no_penalty_decision")
    assert clocks(case_id, "payment") == []  # nothing to pay
    assert_issued(desk.as_(HEAD).do(case_id, "close", summary="已责令停止销售，线索已移送。"),
                  "closing_approval")
    assert state(case_id)[0] == "closed"
    assert db.session.scalar(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.action == "decide_no_penalty")) is not None
