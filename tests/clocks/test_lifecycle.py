"""Each clock of DESIGN §3 started, paused, extended and stopped by the actions that drive it,
with every pause and extension recorded (reason, legal basis, who, when)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from enforcement.clocks.calendar import latest_day_before
from enforcement.clocks.models import ClockEvent, ClockEventKind, ClockStatus
from enforcement.clocks.sweep import sweep
from enforcement.db import acting_as_of
from enforcement.documents.models import Document
from enforcement.extensions import db
from tests.clocks.helpers import act, clock, filed, history, register, serve, team, unit
from tests.clocks.helpers import clocks as all_clocks
from tests.conftest import user

D = date.fromisoformat
RUNNING, PAUSED, MET = ClockStatus.running, ClockStatus.paused, ClockStatus.met


def events(case_id, kind) -> list[ClockEvent]:
    found = clock(case_id, kind)
    return list(db.session.scalars(select(ClockEvent).where(ClockEvent.clock_id == found.id)
                                   .order_by(ClockEvent.id)))


# -- verification (Order 42 Art. 18): 15 working days, identification excluded, +15 once --------
def test_verification_is_paused_for_identification_extended_once_and_stopped_by_filing(app):
    case_id = register(D("2026-11-02"), reporter_user="holder_hetao")
    assert (clock(case_id, "verification").status, clock(case_id, "verification").due_on) == \
        (RUNNING, D("2026-11-23"))
    team(case_id, D("2026-11-02"))
    act(case_id, "request_identification", "linhe_inspector1", D("2026-11-05"),
        items="面粉 2 袋", reply_by=D("2026-11-20"))
    assert clock(case_id, "verification").status is PAUSED
    act(case_id, "record_identification", "holder_hetao", D("2026-11-11"),
        genuine="counterfeit", opinion="系假冒商品。")
    # 11-06, 11-09, 11-10 and 11-11 are not counted: four working days later
    assert (clock(case_id, "verification").status, clock(case_id, "verification").due_on) == \
        (RUNNING, D("2026-11-27"))
    act(case_id, "extend_verification", "linhe_head", D("2026-11-12"), reason="需要检验鉴定。")
    extended = clock(case_id, "verification")
    assert (extended.due_on, extended.extended, extended.extensions) == (D("2026-12-18"), 15, 1)
    act(case_id, "propose_filing", "linhe_inspector1", D("2026-11-13"), cause="涉嫌侵权",
        facts="核查属实。", proposal="file", reason="符合立案条件。")
    act(case_id, "approve_filing", "linhe_head", D("2026-11-13"), opinion="同意立案。")
    assert clock(case_id, "verification").status is MET
    assert history(case_id, "verification") == ["start", "pause", "resume", "extend", "stop"]

    pause, resume, extend = events(case_id, "verification")[1:4]
    assert (pause.effective_on, pause.actor_id, pause.reason) == (
        D("2026-11-05"), user("linhe_inspector1").id, "请求权利人协助辨认/鉴别")
    assert pause.legal_basis == "《商标法实施条例》第八十二条" and pause.case_event_id
    assert (resume.effective_on, resume.actor_id) == (D("2026-11-11"), user("holder_hetao").id)
    assert (resume.due_before, resume.due_after) == (D("2026-11-23"), D("2026-11-27"))
    assert (extend.reason, extend.legal_basis, extend.actor_id) == (
        "需要检验鉴定。", "《市场监督管理行政处罚程序规定》第十八条", user("linhe_head").id)


@pytest.mark.parametrize("ending,args", [
    ("reject_filing", {"reason": "证据不足。"}),
    ("transfer_jurisdiction", {"reason": "不属本局管辖。"}),
])
def test_verification_stops_when_filing_is_refused_or_the_case_transferred(app, ending, args):
    case_id = register(D("2026-11-02"))
    team(case_id, D("2026-11-02"))
    if ending == "reject_filing":
        act(case_id, "propose_filing", "linhe_inspector1", D("2026-11-03"), cause="涉嫌侵权",
            facts="核查。", proposal="not_file", reason="证据不足。")
    else:
        args = {**args, "target_unit": unit("wuyuan_amr").id}
    act(case_id, ending, "linhe_head", D("2026-11-04"), **args)
    assert clock(case_id, "verification").status is MET
    if ending == "reject_filing":  # the named reporter must be told within 5 working days
        assert clock(case_id, "inform_reporter").due_on == D("2026-11-11")


# -- inform reporter (投诉举报办法 Art. 31) -----------------------------------------------------
def test_reporter_clock_stops_at_once_for_a_portal_reporter_and_runs_for_others(app):
    by_portal = filed(D("2026-11-02"), reporter_user="holder_hetao")
    by_sms = filed(D("2026-11-02"))
    assert clock(by_portal, "inform_reporter").status is MET
    assert (clock(by_sms, "inform_reporter").status, clock(by_sms, "inform_reporter").due_on) \
        == (RUNNING, D("2026-11-09"))


# -- decision (Order 42 Art. 64): 90 days, suspension/hearing/identification excluded, +30, then
#    as long as a collective discussion decides ------------------------------------------------
def test_decision_clock_pauses_extends_and_stops(app):
    case_id = filed(D("2026-06-01"))
    # 90 days end on Sunday 8-30: Monday 8-31
    assert clock(case_id, "decision").due_on == D("2026-08-31")
    act(case_id, "suspend", "linhe_head", D("2026-06-10"), reason="商标权属争议。",
        legal_basis="《商标法》第六十二条第三款")
    assert clock(case_id, "decision").status is PAUSED
    act(case_id, "resume", "linhe_head", D("2026-06-20"), reason="争议已裁定。",
        legal_basis="《商标法》第六十二条第三款")
    assert clock(case_id, "decision").due_on == D("2026-09-09")  # ten days later
    act(case_id, "extend_decision", "linhe_head", D("2026-06-21"), reason="案情复杂。")
    assert clock(case_id, "decision").due_on == D("2026-10-09")
    act(case_id, "record_collective_discussion", "linhe_head", D("2026-06-22"),
        subject="extend_decision", held_on=D("2026-06-22"), participants="局领导班子",
        conclusion="同意继续延长二十日。")
    act(case_id, "extend_decision", "linhe_head", D("2026-06-22"), reason="仍需鉴定。",
        extension_days=20)
    assert (clock(case_id, "decision").due_on, clock(case_id, "decision").extended) == (
        D("2026-10-29"), 50)
    act(case_id, "request_identification", "linhe_inspector1", D("2026-07-01"),
        items="白酒 2 瓶", reply_by=D("2026-07-10"))
    act(case_id, "record_identification", "linhe_inspector1", D("2026-07-06"),
        genuine="counterfeit", opinion="系假冒。")
    assert clock(case_id, "decision").due_on == D("2026-11-03")
    assert history(case_id, "decision") == ["start", "pause", "resume", "extend", "extend",
                                            "pause", "resume"]
    suspension = events(case_id, "decision")[1]
    assert (suspension.reason, suspension.legal_basis) == ("商标权属争议。",
                                                           "《商标法》第六十二条第三款")

    # the hearing is excluded too (APL Art. 64; Order 42 Art. 64 ¶2) — and it is recorded
    _to_notified(case_id, D("2026-07-07"))
    serve(case_id, "penalty_notice", D("2026-07-08"))
    statement = clock(case_id, "statement")
    assert (statement.status, statement.due_on) == (RUNNING, D("2026-07-15"))
    hearing_on = D("2026-07-24")
    act(case_id, "request_hearing", "linhe_inspector1", D("2026-07-09"), hearing_on=hearing_on,
        place="听证室", host="周法制")
    assert clock(case_id, "statement").status is MET
    assert clock(case_id, "decision").status is PAUSED
    notice = clock(case_id, "hearing_notice")
    assert notice.due_on == latest_day_before(hearing_on, 7) == D("2026-07-15")
    serve(case_id, "hearing_notice", D("2026-07-10"))
    assert clock(case_id, "hearing_notice").status is MET
    act(case_id, "conclude_hearing", "linhe_reviewer", D("2026-07-24"), record="听证笔录。",
        report="维持原拟处罚意见。")
    # paused 7-09 … 7-24: fifteen days later
    assert (clock(case_id, "decision").status, clock(case_id, "decision").due_on) == (
        RUNNING, D("2026-11-18"))
    act(case_id, "decide_penalty", "linhe_head", D("2026-07-27"), violation="销售侵权商品。",
        legal_basis="《商标法》第六十条", fine="20000")
    assert clock(case_id, "decision").status is MET


def _to_notified(case_id, day):
    act(case_id, "finish_investigation", "linhe_inspector1", day, findings="事实清楚。",
        outcome="penalty", proposed_fine="20000", penalty_items="罚款贰万元")
    assert clock(case_id, "legal_review").due_on == day + timedelta(days=14)  # 10 working days
    act(case_id, "pass_review", "linhe_reviewer", day, opinion="同意。", hearing_rights="y")
    assert clock(case_id, "legal_review").status is MET


def test_legal_review_stops_when_returned_and_restarts(app):
    case_id = filed(D("2026-06-01"))
    act(case_id, "finish_investigation", "linhe_inspector1", D("2026-06-02"), findings="事实。",
        outcome="penalty", proposed_fine="5000")
    act(case_id, "return_for_investigation", "linhe_reviewer", D("2026-06-03"),
        reason="证据不足。")
    assert clock(case_id, "legal_review").status is MET
    act(case_id, "finish_investigation", "linhe_inspector1", D("2026-06-04"), findings="补充。",
        outcome="penalty", proposed_fine="5000")
    assert [c.status for c in all_clocks(case_id, "legal_review")] == [MET, RUNNING]


def test_statement_window_ends_with_submission(app):
    case_id = filed(D("2026-06-01"))
    _to_notified(case_id, D("2026-06-02"))
    serve(case_id, "penalty_notice", D("2026-06-03"))
    act(case_id, "record_statement", "linhe_inspector1", D("2026-06-04"), kind="waiver",
        content="放弃。")
    act(case_id, "submit_for_decision", "linhe_inspector1", D("2026-06-04"))
    assert clock(case_id, "statement").status is MET


# -- after the decision: service, publication, payment, remedies, publication period, closing --
def test_penalty_decision_clocks_through_to_closing(app):
    case_id = filed(D("2026-03-02"))
    _to_notified(case_id, D("2026-03-03"))
    serve(case_id, "penalty_notice", D("2026-03-04"))
    act(case_id, "record_statement", "linhe_inspector1", D("2026-03-04"), kind="waiver",
        content="放弃。")
    act(case_id, "submit_for_decision", "linhe_inspector1", D("2026-03-04"))
    act(case_id, "decide_penalty", "linhe_head", D("2026-03-27"), violation="销售侵权商品。",
        legal_basis="《商标法》第六十条", fine="5000", criticism="y")
    # 7 working days to serve (APL Art. 61, 85); 20 working days to publish (Order 45 Art. 9):
    # across the 2026 Qingming holiday (4-4 … 4-6)
    assert clock(case_id, "decision_service").due_on == D("2026-04-08")
    assert clock(case_id, "publication").due_on == D("2026-04-27")
    serve(case_id, "penalty_decision", D("2026-03-30"))
    assert clock(case_id, "decision_service").status is MET
    assert clock(case_id, "review_period").due_on == D("2026-05-29")  # 60 days
    assert clock(case_id, "litigation_period").due_on == D("2026-09-30")  # 6 months
    assert clock(case_id, "payment").due_on == D("2026-04-14")  # 15 days
    act(case_id, "publish", "linhe_head", D("2026-04-01"))
    assert clock(case_id, "publication").status is MET
    # 通报批评 and a lower-amount fine only: three months (Order 45 Art. 13, rule data)
    period = clock(case_id, "publication_period")
    assert (period.length, period.unit, period.due_on) == (3, "months", D("2026-07-01"))
    act(case_id, "record_payment", "linhe_inspector1", D("2026-04-10"), amount="5000",
        paid_on=D("2026-04-10"), reference="BANK-1")
    assert clock(case_id, "payment").status is MET
    assert clock(case_id, "closing").status is RUNNING
    act(case_id, "close", "linhe_head", D("2026-04-13"), summary="结案。")
    assert clock(case_id, "closing").status is MET


def test_a_larger_fine_is_published_for_three_years(app):
    case_id = filed(D("2026-03-02"))
    _to_notified(case_id, D("2026-03-03"))
    serve(case_id, "penalty_notice", D("2026-03-04"))
    act(case_id, "record_statement", "linhe_inspector1", D("2026-03-04"), kind="waiver",
        content="放弃。")
    act(case_id, "submit_for_decision", "linhe_inspector1", D("2026-03-04"))
    act(case_id, "decide_penalty", "linhe_head", D("2026-03-05"), violation="销售侵权商品。",
        legal_basis="《商标法》第六十条", fine="200000")
    act(case_id, "publish", "linhe_head", D("2026-03-06"))
    assert clock(case_id, "publication_period").length == 36


# -- 查封、扣押 (行政强制法 Art. 25): 30 days, +30 once ------------------------------------------
def test_seizure_is_extended_once_and_stopped_by_release(app):
    case_id = filed(D("2026-09-01"))
    act(case_id, "impose_measure", "linhe_inspector1", D("2026-09-01"), measure="seize",
        **{"goods-0-name": "面粉", "goods-0-quantity": "20", "goods-0-unit": "袋"},
        place="当事人店内", legal_basis="《商标法》第六十二条")
    measure = db.session.scalar(select(Document).where(
        Document.case_id == case_id, Document.doc_type == "coercive_measure_decision"))
    # 30 days end on 10-1, National Day: the next working day is 10-8
    assert clock(case_id, "seizure").due_on == D("2026-10-08")
    act(case_id, "extend_measure", "linhe_head", D("2026-09-20"), reason="需要鉴定。",
        measure_document=measure.id)
    assert (clock(case_id, "seizure").due_on, clock(case_id, "seizure").extensions) == (
        D("2026-10-31") + timedelta(days=2), 1)  # 10-31 is a Saturday: Monday 11-2
    act(case_id, "release_measure", "linhe_inspector1", D("2026-10-09"), reason="鉴定完毕。",
        measure_document=measure.id)
    assert clock(case_id, "seizure").status is MET
    assert history(case_id, "seizure") == ["start", "extend", "stop"]


# -- the criminal transfer (Decree 310): 3 days, 24 hours, 3 days … ------------------------------
def test_transfer_clocks_from_proposal_to_goods_handover(app):
    case_id = filed(D("2026-09-25"))
    act(case_id, "propose_transfer", "linhe_inspector1", D("2026-09-28"),
        suspected_crime="sell_counterfeit", report="销售金额超过五万元。", goods_list="300 件")
    # three calendar days (Decree 310 is not the APL): 10-1 is a holiday, so 10-8
    assert clock(case_id, "transfer_decision").due_on == D("2026-10-08")
    act(case_id, "approve_transfer", "linhe_head", D("2026-09-29"),
        police_unit=unit("linhe_police").id, opinion="同意移送。")
    assert clock(case_id, "transfer_decision").status is MET
    assert clock(case_id, "decision").status is MET
    delivery = clock(case_id, "transfer_delivery")
    assert delivery.unit == "hours" and delivery.due_at - delivery.started_at == timedelta(
        hours=24)
    act(case_id, "acknowledge_transfer", "police_linhe", D("2026-09-29"), note="已签收。")
    assert clock(case_id, "transfer_delivery").status is MET
    assert clock(case_id, "police_decision").due_on == D("2026-10-08")
    act(case_id, "decline_transfer", "police_linhe", D("2026-09-30"), ground="no_crime",
        reason="证据不足。")
    assert clock(case_id, "police_decision").status is MET
    assert clock(case_id, "reconsideration").due_on == D("2026-10-08")
    act(case_id, "request_reconsideration", "linhe_head", D("2026-09-30"), reason="证据充分。")
    assert clock(case_id, "reconsideration").status is MET
    assert clock(case_id, "police_decision").status is RUNNING
    act(case_id, "accept_transfer", "police_linhe", D("2026-10-09"),
        police_case_no="临公经立字〔2026〕5号")
    assert clock(case_id, "police_decision").status is MET
    assert clock(case_id, "goods_handover").due_on == D("2026-10-12")
    act(case_id, "hand_over_goods", "linhe_inspector1", D("2026-10-10"), handover_list="300 件",
        handed_on=D("2026-10-10"))
    assert clock(case_id, "goods_handover").status is MET


def test_resuming_the_administrative_case_restarts_the_decision_clock(app):
    case_id = filed(D("2026-09-01"))
    act(case_id, "propose_transfer", "linhe_inspector1", D("2026-09-02"),
        suspected_crime="sell_counterfeit", report="涉嫌犯罪。")
    act(case_id, "approve_transfer", "linhe_head", D("2026-09-02"),
        police_unit=unit("linhe_police").id, opinion="同意。")
    act(case_id, "acknowledge_transfer", "police_linhe", D("2026-09-03"))
    act(case_id, "decline_transfer", "police_linhe", D("2026-09-04"), ground="no_crime",
        reason="不构成犯罪。")
    act(case_id, "resume_administrative", "linhe_head", D("2026-09-07"), reason="依法处罚。")
    assert clock(case_id, "reconsideration").status is MET
    assert [c.status for c in all_clocks(case_id, "decision")] == [MET, RUNNING]
    assert clock(case_id, "decision").started_on == D("2026-09-07")


# -- compulsory enforcement (行政强制法 Art. 53, 56, 57) -------------------------------------------
def test_court_application_starts_when_remedies_lapse_unpaid_and_court_clocks_follow(app):
    case_id = filed(D("2026-01-05"))
    _to_notified(case_id, D("2026-01-06"))
    serve(case_id, "penalty_notice", D("2026-01-06"))
    act(case_id, "record_statement", "linhe_inspector1", D("2026-01-06"), kind="waiver",
        content="放弃。")
    act(case_id, "submit_for_decision", "linhe_inspector1", D("2026-01-06"))
    act(case_id, "decide_penalty", "linhe_head", D("2026-01-07"), violation="销售侵权商品。",
        legal_basis="《商标法》第六十条", fine="20000")
    serve(case_id, "penalty_decision", D("2026-01-07"))
    act(case_id, "publish", "linhe_head", D("2026-01-08"))
    litigation = clock(case_id, "litigation_period").due_on
    assert litigation == D("2026-07-07")

    with acting_as_of(D("2026-07-08")):
        report = sweep()
    assert report.lapsed >= 2
    assert clock(case_id, "review_period").status is ClockStatus.lapsed
    application = clock(case_id, "court_application")
    # from the day the periods ended, three months (10-7 is a holiday: 10-8)
    assert (application.started_on, application.due_on) == (litigation, D("2026-10-08"))
    assert len(all_clocks(case_id, "court_application")) == 1
    with acting_as_of(D("2026-07-09")):
        sweep()
    assert len(all_clocks(case_id, "court_application")) == 1

    act(case_id, "serve_payment_demand", "linhe_inspector1", D("2026-07-09"),
        content="请于十日内缴纳。")
    serve(case_id, "payment_demand", D("2026-07-09"))
    act(case_id, "apply_court_enforcement", "linhe_head", D("2026-07-24"),
        court=unit("linhe_court").id, content="申请强制执行罚款。")
    assert clock(case_id, "court_application").status is MET
    assert clock(case_id, "court_acceptance").due_on == D("2026-07-31")
    act(case_id, "accept_enforcement", "court_linhe", D("2026-07-27"),
        court_case_no="（2026）执1号")
    assert clock(case_id, "court_acceptance").status is MET
    assert clock(case_id, "court_ruling").due_on == D("2026-08-05")
    act(case_id, "rule_enforcement", "court_linhe", D("2026-07-30"), ruling="enforce",
        reasons="准予执行。")
    assert clock(case_id, "court_ruling").status is MET


def test_clock_events_name_the_case_event_that_caused_them(app):
    case_id = filed(D("2026-06-01"))
    start = events(case_id, "decision")[0]
    assert start.kind is ClockEventKind.start and start.case_event_id is not None
    assert start.actor_id == user("linhe_head").id
