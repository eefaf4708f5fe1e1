"""The transfer to the police end to end, through the real service: receipt, supplement,
forward, accept and goods handover, decline with reconsideration or administrative penalty
(Decree 310 Art. 8–12; 公安机关受理行政执法机关移送涉嫌犯罪案件规定 Art. 7)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from enforcement.cases.models import Case
from enforcement.clocks.models import ClockStatus
from enforcement.db import acting_as_of, local_today
from enforcement.documents.models import Document
from enforcement.errors import Invalid, Refused
from enforcement.extensions import db
from enforcement.referrals.models import DeclineGround
from tests.referrals.helpers import (
    acknowledged,
    act,
    clock,
    declined,
    messages,
    referral,
    referred,
    unit,
)
from workflows.states import CaseState

RUNNING, MET, CANCELLED = ClockStatus.running, ClockStatus.met, ClockStatus.cancelled


def state(case_id) -> CaseState:
    return db.session.get(Case, case_id).state


def refusal_codes(exc) -> list[str]:
    return [r.code for r in exc.value.refusals]


def test_receipt_stops_delivery_and_starts_the_police_clock(app):
    case_id = referred()
    assert clock(case_id, "transfer_delivery").status is RUNNING
    with pytest.raises(Refused) as refused:  # nothing is decided before the receipt
        act(case_id, "accept_transfer", "police_linhe", police_case_no="临公经立字1号")
    assert refusal_codes(refused) == ["referral_acknowledged"]
    act(case_id, "acknowledge_transfer", "police_linhe", note="已签收。")
    assert referral(case_id).acknowledged_at is not None
    assert clock(case_id, "transfer_delivery").status is MET
    decision = clock(case_id, "police_decision")
    assert decision.status is RUNNING and decision.length == 3 and decision.unit == "days"


def test_accept_then_goods_handover_then_close(app):
    case_id = acknowledged()
    act(case_id, "accept_transfer", "police_linhe", police_case_no="临公经立字〔2026〕7号")
    assert state(case_id) is CaseState.police_filed
    r = referral(case_id)
    assert r.receiver_case_no == "临公经立字〔2026〕7号" and r.accepted_at is not None
    assert clock(case_id, "goods_handover").status is RUNNING
    # the bureau is told, in Chinese, with the police's case number
    assert "临公经立字〔2026〕7号" in messages(case_id)[-1].body
    with pytest.raises(Refused) as refused:
        act(case_id, "close", "linhe_head", summary="移送公安机关立案。")
    assert "goods_handed_over" in refusal_codes(refused)
    act(case_id, "hand_over_goods", "linhe_inspector1", handover_list="假冒商品 300 件",
        handed_on=local_today())
    assert clock(case_id, "goods_handover").status is MET
    act(case_id, "close", "linhe_head", summary="已移送公安机关立案，涉案物品已移交。")
    assert state(case_id) is CaseState.closed


def test_decline_needs_a_legal_ground(app):
    case_id = acknowledged()
    with pytest.raises(Invalid) as missing:
        act(case_id, "decline_transfer", "police_linhe", reason="不构成犯罪。")
    assert "ground" in missing.value.errors
    # incomplete materials is no ground for declining: the choice does not exist
    with pytest.raises(Invalid) as incomplete:
        act(case_id, "decline_transfer", "police_linhe", ground="materials_incomplete",
            reason="移送材料不全。")
    assert "ground" in incomplete.value.errors
    assert state(case_id) is CaseState.referred


def test_supplement_requested_and_supplied(app):
    case_id = acknowledged()
    act(case_id, "request_supplement", "police_linhe", materials="请补充进货凭证。")
    r = referral(case_id)
    assert r.supplement_request == "请补充进货凭证。" and r.supplement_supplied_at is None
    supplement = clock(case_id, "supplement")
    assert (supplement.status, supplement.length, supplement.unit) == (RUNNING, 3, "days")
    assert "请补充进货凭证。" in messages(case_id)[-1].body  # the bureau is notified
    # the police may not refuse the transfer while the materials are awaited
    with pytest.raises(Refused) as refused:
        act(case_id, "decline_transfer", "police_linhe", ground="no_crime", reason="材料不全。")
    assert refusal_codes(refused) == ["no_supplement_pending"]
    act(case_id, "supply_materials", "linhe_inspector1", materials="已补充进货凭证 3 份。")
    assert referral(case_id).supplement_supplied_at is not None
    assert clock(case_id, "supplement").status is MET
    act(case_id, "accept_transfer", "police_linhe", police_case_no="临公经立字〔2026〕8号")
    assert state(case_id) is CaseState.police_filed


def test_forward_to_the_competent_unit(app):
    case_id = acknowledged()
    first = referral(case_id)
    with pytest.raises(Invalid):  # forwarding goes to another unit
        act(case_id, "forward_transfer", "police_linhe", police_unit=unit("linhe_police").id,
            reason="不属本单位管辖。")
    act(case_id, "forward_transfer", "police_linhe", police_unit=unit("city_police").id,
        reason="跨区县案件，由市局管辖。")
    db.session.refresh(first)
    new = referral(case_id)
    assert new.id != first.id and new.forwarded_from_id == first.id
    assert new.unit.code == "city_police" and new.copy_unit_id == first.copy_unit_id
    assert first.forwarded_at is not None
    assert clock(case_id, "police_decision") is None or \
        clock(case_id, "police_decision").status is CANCELLED
    assert clock(case_id, "transfer_delivery").status is RUNNING  # the new unit's 24 hours
    # the forwarding unit no longer acts; the competent one signs for it and decides
    with pytest.raises(Refused) as refused:
        act(case_id, "request_supplement", "police_linhe", materials="补充。")
    assert refusal_codes(refused) == ["jurisdiction"]
    act(case_id, "acknowledge_transfer", "police_city", note="已签收。")
    assert clock(case_id, "transfer_delivery").status is MET
    assert clock(case_id, "police_decision").status is RUNNING
    act(case_id, "accept_transfer", "police_city", police_case_no="巴公经立字〔2026〕1号")
    assert referral(case_id).receiver_case_no == "巴公经立字〔2026〕1号"


def test_decline_then_reconsideration_then_accept(app):
    case_id = declined(ground="below_threshold")
    assert state(case_id) is CaseState.referral_declined
    r = referral(case_id)
    assert r.decline_ground is DeclineGround.below_threshold
    assert r.decline_reasons == "现有证据不足以证明涉嫌犯罪。"
    assert "不予立案" in messages(case_id)[-1].subject
    assert clock(case_id, "reconsideration").status is RUNNING
    act(case_id, "request_reconsideration", "linhe_head", reason="销售金额已超过五万元。")
    assert state(case_id) is CaseState.referred
    assert referral(case_id).reconsideration_requested_at is not None
    assert clock(case_id, "reconsideration").status is MET
    assert clock(case_id, "police_decision").status is RUNNING  # 3 days to decide again
    act(case_id, "accept_transfer", "police_linhe", police_case_no="临公经立字〔2026〕9号")
    assert state(case_id) is CaseState.police_filed
    # the first answer stays on record
    assert referral(case_id).decline_ground is DeclineGround.below_threshold


def test_reconsideration_only_once_then_supervision(app):
    case_id = declined()
    act(case_id, "request_reconsideration", "linhe_head", reason="请予复议。")
    act(case_id, "decline_transfer", "police_linhe", ground="no_crime", reason="维持原决定。")
    with pytest.raises(Refused) as refused:
        act(case_id, "request_reconsideration", "linhe_head", reason="再次复议。")
    assert "reconsideration_once" in refusal_codes(refused)
    act(case_id, "request_supervision", "linhe_head", reason="建议检察机关立案监督。")
    act(case_id, "record_supervision", "procurator_city", kind="filing_supervision",
        opinion="要求公安机关说明不立案理由。")
    assert state(case_id) is CaseState.referral_declined


def test_reconsideration_window_is_three_days(app):
    case_id = acknowledged()
    with acting_as_of(local_today() - timedelta(days=5)):
        act(case_id, "decline_transfer", "police_linhe", ground="no_crime", reason="不构成犯罪。")
    with pytest.raises(Refused) as refused:
        act(case_id, "request_reconsideration", "linhe_head", reason="请予复议。")
    assert "reconsideration_window_open" in refusal_codes(refused)


def test_decline_then_resume_administrative_then_penalty(app):
    case_id = declined()
    act(case_id, "resume_administrative", "linhe_head", reason="依法给予行政处罚。")
    assert state(case_id) is CaseState.investigating
    assert clock(case_id, "decision").status is RUNNING
    # the bureau must now decide itself: the way to closing goes through its own decision
    with pytest.raises(Refused) as refused:
        act(case_id, "close", "linhe_head", summary="公安机关不予立案，结案。")
    assert refusal_codes(refused) == ["state"]
    act(case_id, "record_inspection", "linhe_inspector1", place="临河区某店",
        held_on=local_today(), content="现场查见涉嫌侵权商品。")
    act(case_id, "finish_investigation", "linhe_inspector1", findings="销售侵权商品属实。",
        outcome="penalty", proposed_fine="20000", penalty_items="罚款贰万元。")
    act(case_id, "pass_review", "linhe_reviewer", opinion="事实清楚。", hearing_rights="y")
    notice = db.session.scalar(select(Document).where(Document.case_id == case_id,
                                                      Document.doc_type == "penalty_notice"))
    act(case_id, "record_service", "linhe_inspector1", document=notice.id, method="direct",
        served_on=local_today(), recipient="当事人")
    act(case_id, "record_statement", "linhe_inspector1", kind="waiver",
        content="当事人书面放弃陈述、申辩和听证。")
    act(case_id, "submit_for_decision", "linhe_inspector1")
    act(case_id, "decide_penalty", "linhe_head", violation="销售侵权商品。",
        legal_basis="《中华人民共和国商标法》第六十条第二款", fine="20000")
    case = db.session.get(Case, case_id)
    assert case.state is CaseState.decided and case.fine_amount == 20000
