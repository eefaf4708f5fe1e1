"""The case service: who may take which action when, what it records, and what a refusal keeps."""
import re
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from enforcement.audit.models import AuditEntry
from enforcement.auth.models import User
from enforcement.auth.services import create_user
from enforcement.cases import services
from enforcement.cases.intake import CaseData, PartyData, register_case
from enforcement.cases.models import Case, CaseEvent
from enforcement.clocks.calendar import CalendarUnknown, due_date
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import acting_as_of, local_today
from enforcement.demo.seed import DemoCases
from enforcement.documents.models import Document, NumberSequence
from enforcement.documents.types import DOC_TYPES
from enforcement.errors import Invalid, NotFound, Refused, Stale
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.outbox.models import OutboxMessage
from enforcement.parties.models import PartyKind
from tests.conftest import DEMO_PASSWORD, case_in_state, user
from workflows.states import CaseState

RUNNING, MET = ClockStatus.running, ClockStatus.met


# -- small helpers --------------------------------------------------------------------------
def form(**fields) -> MultiDict:
    items = []
    for key, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            if v is not None and v is not False:
                items.append((key, str(v)))
    return MultiDict(items)


def act(case_id, action, username, **fields):
    version = db.session.get(Case, case_id).version
    return services.perform(case_id, action, user(username), form(**fields),
                            expected_version=version)


def unit(code) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def last_audit() -> AuditEntry:
    return db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))


def snapshot(case_id) -> dict:
    """What the database holds about a case, read afresh."""
    db.session.rollback()
    case = db.session.get(Case, case_id)
    return {"state": case.state, "version": case.version,
            "events": count(CaseEvent, CaseEvent.case_id == case_id),
            "documents": count(Document, Document.case_id == case_id),
            "clocks": count(Clock, Clock.case_id == case_id),
            "audit": count(AuditEntry)}


def clock(case_id, kind) -> Clock | None:
    return db.session.scalar(select(Clock).where(Clock.case_id == case_id, Clock.kind == kind)
                             .order_by(Clock.id.desc()).limit(1))


def clock_status(case_id, kind):
    found = clock(case_id, kind)
    return found.status if found else None


def numbers(code) -> list[int]:
    """The numbers of one document type issued by 临河区 this year, in order."""
    year = local_today().year
    pattern = re.compile(rf"^临市监{DOC_TYPES[code].number_word}〔{year}〕(\d+)号$")
    found = db.session.scalars(select(Document.number).where(Document.doc_type == code,
                                                             Document.number.is_not(None)))
    return sorted(int(m.group(1)) for n in found if (m := pattern.match(n)))


def document(case_id, code) -> Document:
    return db.session.scalar(select(Document).where(Document.case_id == case_id,
                                                    Document.doc_type == code)
                             .order_by(Document.id.desc()).limit(1))


def serve(case_id, code):
    return act(case_id, "record_service", "linhe_inspector1", document=document(case_id, code).id,
               method="direct", served_on=local_today(), recipient="当事人")


def demo() -> DemoCases:
    users = {u.username: u for u in db.session.scalars(select(User))}
    return DemoCases(unit("linhe_amr"), users)


# -- refusals: role, unit, state --------------------------------------------------------------
def court_case_closed_after_ruling() -> Case:
    """A penalty published, left unpaid, enforced by the court and closed (history via as-of)."""
    d, today = demo(), local_today()
    with acting_as_of(today - timedelta(days=300)):
        case = d.to_decision_review(d.new_case(30))
    with acting_as_of(today - timedelta(days=240)):
        case = d.to_decided(case, serve=True, from_review=True)
        case = d.act(case, "publish", d.head)
    with acting_as_of(today - timedelta(days=45)):
        case = d.act(case, "serve_payment_demand", d.inspector, content="请于十日内缴纳罚款。")
        case = d.serve(case, "payment_demand")
    case = d.act(case, "apply_court_enforcement", d.head, court=unit("linhe_court").id,
                 content="申请强制执行罚款。")
    case = d.act(case, "accept_enforcement", user("court_linhe"), court_case_no="（2026）执1号")
    case = d.act(case, "rule_enforcement", user("court_linhe"), ruling="enforce", reasons="准予")
    return d.act(case, "close", d.head, summary="经人民法院强制执行终结，予以结案。")


def other_court_user() -> str:
    create_user("court_wuyuan", "五原法院执行局", DEMO_PASSWORD, roles=["court"],
                unit=unit("wuyuan_court"))
    db.session.commit()
    return "court_wuyuan"


def valid_data(action) -> dict:
    return {
        "assign": lambda: {"inspectors": [user("linhe_inspector1").id,
                                          user("linhe_inspector2").id]},
        "approve_filing": lambda: {"opinion": "同意立案。"},
        "pass_review": lambda: {"opinion": "事实清楚。", "hearing_rights": "y"},
        "decide_penalty": lambda: {"violation": "销售侵权商品。", "legal_basis": "商标法第六十条",
                                   "fine": "20000", "heavier_reasoning": "二次侵权，从重处罚。"},
        "approve_transfer": lambda: {"police_unit": unit("linhe_police").id, "opinion": "同意"},
        "accept_transfer": lambda: {"police_case_no": "临公经立字〔2026〕99号"},
        "accept_enforcement": lambda: {"court_case_no": "（2026）内0802执99号"},
        "close": lambda: {"summary": "处罚决定执行完毕，予以结案。"},
    }[action]()


class Row(NamedTuple):
    action: str
    state: str  # where the action is allowed
    right: str
    wrong_role: str  # may read the case, lacks the permission
    other_unit: str | Callable  # same role in another unit
    wrong_state: str | Callable


ROWS = [
    Row("assign", "registered", "linhe_unit_head", "linhe_inspector1", "wuyuan_unit_head",
        "verifying"),
    Row("approve_filing", "filing_review", "linhe_head", "linhe_inspector1", "wuyuan_head",
        "verifying"),
    Row("pass_review", "legal_review", "linhe_reviewer", "linhe_inspector1", "wuyuan_head",
        "investigating"),
    Row("decide_penalty", "decision_review", "linhe_head", "linhe_reviewer", "wuyuan_head",
        "legal_review"),
    Row("approve_transfer", "referral_review", "linhe_head", "linhe_inspector1", "wuyuan_head",
        "investigating"),
    Row("accept_transfer", "referred", "police_linhe", "linhe_head", "police_city",
        "referral_declined"),
    Row("accept_enforcement", "court_enforcement", "court_linhe", "linhe_head",
        other_court_user, court_case_closed_after_ruling),
    Row("close", "publicized", "linhe_head", "linhe_inspector1", "wuyuan_head",
        "investigating"),
]
each_row = pytest.mark.parametrize("row", ROWS, ids=[row.action for row in ROWS])


def resolve(value):
    return value() if callable(value) else value


def assert_refused(case_id, action, username, exc_type, status, audit_action):
    before = snapshot(case_id)
    with pytest.raises(exc_type) as caught:
        services.perform(case_id, action, user(username), form(**valid_data(action)),
                         expected_version=before["version"])
    assert caught.value.status == status
    assert re.search(r"[\u4e00-\u9fff]", caught.value.message())
    assert snapshot(case_id) == {**before, "audit": before["audit"] + 1}
    entry = last_audit()
    assert (entry.action, entry.object_id, entry.actor_name) == (audit_action, str(case_id),
                                                                 username)
    return caught.value, entry


@each_row
def test_wrong_role_is_refused(app, row):
    refused, entry = assert_refused(case_in_state(row.state).id, row.action, row.wrong_role,
                                    Refused, 403, "case.refused")
    assert refused.reasons() == ["您没有进行此操作的权限"]
    assert entry.detail == {"action": row.action, "reasons": ["permission"]}


@each_row
def test_same_role_of_another_unit_cannot_see_the_case(app, row):
    _, entry = assert_refused(case_in_state(row.state).id, row.action, resolve(row.other_unit),
                              NotFound, 404, "access.denied")
    assert entry.detail == {"reason": "not_visible"}


@each_row
def test_wrong_state_is_refused(app, row):
    case = resolve(row.wrong_state)
    case = case_in_state(case) if isinstance(case, str) else case
    refused, entry = assert_refused(case.id, row.action, row.right, Refused, 409,
                                    "case.refused")
    assert "不能进行此操作" in refused.message()
    assert entry.detail == {"action": row.action, "reasons": ["state"]}


def test_city_reviewer_reads_but_may_not_act_on_a_district_case(app):
    _, entry = assert_refused(case_in_state("legal_review").id, "pass_review", "city_reviewer",
                              Refused, 403, "case.refused")
    assert entry.detail["reasons"] == ["jurisdiction"]


@each_row
def test_right_user_may(app, row):
    case_id = case_in_state(row.state).id
    if row.action == "accept_transfer":
        act(case_id, "acknowledge_transfer", "police_linhe")
    if row.action == "close":
        act(case_id, "record_payment", "linhe_inspector1", amount="20000",
            paid_on=local_today(), reference="T-1")
    before = snapshot(case_id)
    outcome = act(case_id, row.action, row.right, **valid_data(row.action))
    after = snapshot(case_id)
    assert after["version"] > before["version"]
    assert after["events"] == before["events"] + 1
    assert outcome.event.action == row.action
    assert last_audit().action == f"case.{row.action}"


# -- invalid input and stale versions ---------------------------------------------------------
INVALID = [  # state, action, user, fields, field named, message
    ("registered", "assign", "linhe_unit_head",
     lambda: {"inspectors": [user("linhe_inspector1").id]}, "inspectors",
     "须选择至少 2 名持有执法证件的执法人员，现选择了 1 名"),
    ("registered", "assign", "linhe_unit_head",  # not a credentialed inspector of the unit
     lambda: {"inspectors": [user("linhe_inspector1").id, user("wuyuan_inspector1").id]},
     "inspectors", ""),
    ("decision_review", "decide_penalty", "linhe_head",
     lambda: {"violation": "销售侵权商品。", "legal_basis": "商标法第六十条"}, "fine",
     "请至少选择一种处罚"),
    ("decided", "record_payment", "linhe_inspector1",
     lambda: {"amount": "20000.01", "paid_on": local_today(), "reference": "X"}, "amount",
     "缴款金额超过未缴金额"),
    ("filing_review", "approve_filing", "linhe_head", lambda: {"opinion": ""}, "opinion", ""),
]


@pytest.mark.parametrize("state,action,username,fields,field_name,message", INVALID,
                         ids=["one_inspector", "foreign_inspector", "no_penalty_item",
                              "overpayment", "empty_opinion"])
def test_invalid_input_is_named_and_changes_nothing(app, state, action, username, fields,
                                                    field_name, message):
    case_id = case_in_state(state).id
    before = snapshot(case_id)
    with pytest.raises(Invalid) as caught:
        act(case_id, action, username, **fields())
    assert caught.value.status == 422
    assert not db.session.new and not db.session.dirty
    assert snapshot(case_id) == before
    assert list(caught.value.errors) == [field_name]
    assert any(message in m for m in caught.value.errors[field_name]), caught.value.errors


def test_a_stale_version_changes_nothing(app):
    case_id = case_in_state("registered").id
    before = snapshot(case_id)
    with pytest.raises(Stale) as caught:
        services.perform(case_id, "assign", user("linhe_unit_head"),
                         form(**valid_data("assign")), expected_version=before["version"] - 1)
    assert caught.value.status == 409
    assert caught.value.message() == "该案件已被他人修改，请刷新后重试"
    assert snapshot(case_id) == before


# -- the administrative path, end to end ----------------------------------------------------
def register(reporter=True) -> int:
    data = CaseData(cause="涉嫌销售假冒“河套”注册商标的面粉",
                    summary="举报人反映某店销售假冒面粉。", district="linhe",
                    occurred_on=local_today() - timedelta(days=5),
                    parties=[PartyData(PartyKind.organisation, "临河区测试粮油店")],
                    mark_numbers=["90000001"], reporter_name="张三" if reporter else None,
                    reporter_contact="13900000000" if reporter else None)
    return register_case(user("linhe_unit_head"), unit("linhe_amr"), data).id


def to_filing_review(case_id):
    act(case_id, "assign", "linhe_unit_head", **valid_data("assign"))
    act(case_id, "propose_filing", "linhe_inspector1", cause="涉嫌销售假冒注册商标的商品",
        facts="现场查见涉嫌侵权面粉。", proposal="file", reason="符合立案条件。")


SERVE = "serve"
#: (action or SERVE, user or served document, fields, clocks as they stand afterwards)
PATH = [
    ("approve_filing", "linhe_head", {"opinion": "同意立案。"},
     {"verification": MET, "decision": RUNNING, "inform_reporter": RUNNING}),
    ("finish_investigation", "linhe_inspector1",
     {"findings": "销售假冒面粉 20 袋。", "outcome": "penalty", "proposed_fine": "20000",
      "penalty_items": "罚款贰万元"}, {"legal_review": RUNNING}),
    ("pass_review", "linhe_reviewer", {"opinion": "同意。", "hearing_rights": "y"},
     {"legal_review": MET, "statement": None}),  # it runs from service of the 告知书
    (SERVE, "penalty_notice", {}, {"statement": RUNNING}),
    ("record_statement", "linhe_inspector1", {"kind": "waiver", "content": "放弃陈述申辩"}, {}),
    ("submit_for_decision", "linhe_inspector1", {}, {"statement": MET}),
    ("decide_penalty", "linhe_head", valid_data("decide_penalty"),
     {"decision": MET, "decision_service": RUNNING, "publication": RUNNING}),
    (SERVE, "penalty_decision", {}, {"decision_service": MET, "review_period": RUNNING,
                                     "litigation_period": RUNNING, "payment": RUNNING}),
    ("publish", "linhe_head", {}, {"publication": MET, "publication_period": RUNNING}),
    ("record_payment", "linhe_inspector1",
     {"amount": "20000", "paid_on": "today", "reference": "BANK-1"}, {"payment": MET}),
    ("close", "linhe_head", {"summary": "罚款已缴清，予以结案。"}, {}),
]
NUMBERED = ("filing_approval", "penalty_notice", "penalty_decision")


def test_administrative_path_from_registration_to_closing(app):
    year, last = local_today().year, {code: max(numbers(code), default=0) for code in NUMBERED}
    case_id = register()
    assert clock_status(case_id, "verification") is RUNNING
    to_filing_review(case_id)
    issued = {}
    for action, who, fields, clocks_after in PATH:
        if action == SERVE:
            outcome = serve(case_id, who)
            assert document(case_id, who).served_on == local_today()
        else:
            fields = {k: local_today() if v == "today" else v for k, v in fields.items()}
            outcome = act(case_id, action, who, **fields)
        issued.update({d.doc_type: d.number for d in outcome.documents})
        assert {kind: clock_status(case_id, kind) for kind in clocks_after} == clocks_after, action

    case = db.session.get(Case, case_id)
    assert (case.state, case.closed_at is not None) == (CaseState.closed, True)
    assert services.allowed_actions(case, user("linhe_head")) == []
    filing_no = f"临市监立〔{year}〕{last['filing_approval'] + 1}号"
    assert case.case_no == issued["filing_approval"] == filing_no
    assert issued["penalty_notice"] == f"临市监罚告〔{year}〕{last['penalty_notice'] + 1}号"
    assert issued["penalty_decision"] == f"临市监处罚〔{year}〕{last['penalty_decision'] + 1}号"
    assert {"review_form", "closing_approval", "service_record"} <= set(issued)
    # the named reporter is told once of the filing, and of the decision and the closing
    assert count(OutboxMessage, OutboxMessage.case_id == case_id,
                 OutboxMessage.recipient == "13900000000",
                 OutboxMessage.topic == "filing_decision") == 1
    assert count(OutboxMessage, OutboxMessage.case_id == case_id,
                 OutboxMessage.recipient == "13900000000", OutboxMessage.topic == "outcome") == 2
    for code in NUMBERED:  # consecutive: no gaps, no duplicates, the sequence agrees
        assert numbers(code) == list(range(1, last[code] + 2)), code
        assert db.session.scalar(select(NumberSequence.last_value).where(
            NumberSequence.unit_id == case.unit_id, NumberSequence.doc_type == code,
            NumberSequence.year == year)) == last[code] + 1
    actions = db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case_id)
                                 .order_by(CaseEvent.id)).all()
    audited = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "case", AuditEntry.object_id == str(case_id))
        .order_by(AuditEntry.seq)).all()
    assert audited == ["case.register"] + [f"case.{a}" for a in actions]


def test_closing_clock_runs_once_the_last_obligation_is_met(app):
    # DESIGN §3: closing — starts when the last obligation is met, 15 working days, stops on close
    case_id = case_in_state("publicized").id
    act(case_id, "record_payment", "linhe_inspector1", amount="20000", paid_on=local_today(),
        reference="BANK-2")
    assert clock_status(case_id, "closing") is RUNNING
    act(case_id, "close", "linhe_head", summary="结案。")
    assert clock_status(case_id, "closing") is MET


def test_reporter_clock_only_for_a_named_reporter(app):
    # DESIGN §3: inform reporter — "named reporters only"
    case_id = register(reporter=False)
    to_filing_review(case_id)
    act(case_id, "approve_filing", "linhe_head", opinion="同意立案。")
    assert count(OutboxMessage, OutboxMessage.case_id == case_id) == 0
    assert clock_status(case_id, "inform_reporter") is None


# -- guards -------------------------------------------------------------------------------------
def lengthened(clock, extra: int):
    """The due date of ``clock`` with its period lengthened by ``extra`` of its unit, on the
    app's calendar (the package's years and the notices entered): the whole period counted
    from its start, so only the end of the whole moves off a rest day; None where the holiday
    calendar is not known yet."""
    from enforcement.clocks import holidays

    try:
        return due_date(clock.started_on, clock.length + extra, clock.unit, holidays.current())
    except CalendarUnknown:
        return None


def refused(case_id, action, username, **fields) -> Refused:
    before = snapshot(case_id)
    with pytest.raises(Refused) as caught:
        act(case_id, action, username, **fields)
    assert snapshot(case_id) == {**before, "audit": before["audit"] + 1}
    entry = last_audit()
    assert (entry.action, entry.detail["action"]) == ("case.refused", action)
    assert entry.detail["reasons"] == [r.code for r in caught.value.refusals]
    return caught.value


def test_verification_is_extended_only_once(app):
    case_id = case_in_state("verifying").id
    before = clock(case_id, "verification")
    act(case_id, "extend_verification", "linhe_head", reason="需要权利人鉴别。")
    extended = clock(case_id, "verification")
    assert (extended.extensions, extended.due_on) == (1, lengthened(before, 15))
    refusal = refused(case_id, "extend_verification", "linhe_head", reason="再延一次。")
    assert refusal.status == 409
    assert refusal.reasons() == [
        "核查期限只能延长一次，且已经延长（《市场监督管理行政处罚程序规定》第十八条）"]


def test_second_decision_extension_needs_a_collective_discussion(app):
    case_id = case_in_state("investigating").id
    before = clock(case_id, "decision")
    act(case_id, "extend_decision", "linhe_head", reason="案情复杂。")
    assert clock(case_id, "decision").due_on == lengthened(before, 30)
    refusal = refused(case_id, "extend_decision", "linhe_head", reason="仍需调查。")
    assert "再次延长须先记录集体讨论决定" in refusal.message()
    act(case_id, "record_collective_discussion", "linhe_head", subject="extend_decision",
        held_on=local_today(), participants="局领导班子", conclusion="同意再次延长三十日。")
    act(case_id, "extend_decision", "linhe_head", reason="仍需调查。", extension_days=30)
    extended = clock(case_id, "decision")
    assert (extended.extensions, extended.due_on) == (2, lengthened(before, 60))


def test_warning_only_decision_is_not_published(app):
    case_id = case_in_state("decision_review").id
    act(case_id, "decide_penalty", "linhe_head", violation="初次销售少量侵权商品。",
        legal_basis="商标法第六十条", warning="y", heavier_reasoning="二次侵权。")
    refusal = refused(case_id, "publish", "linhe_head")
    assert refusal.reasons() == [
        "仅给予警告的行政处罚决定不予公示（国家市场监督管理总局令第45号第二条）"]


def test_identification_is_recorded_only_when_requested(app):
    case_id = case_in_state("verifying").id
    refusal = refused(case_id, "record_identification", "linhe_inspector1",
                      genuine="counterfeit", opinion="系假冒商品。")
    assert refusal.reasons() == ["没有待答复的协助辨认/鉴别请求"]
    act(case_id, "request_identification", "linhe_inspector1", items="面粉 2 袋",
        reply_by=local_today() + timedelta(days=10))
    assert clock_status(case_id, "verification") is ClockStatus.paused
    act(case_id, "record_identification", "linhe_inspector1", genuine="counterfeit",
        opinion="系假冒商品。")
    assert clock_status(case_id, "verification") is RUNNING


def test_close_waits_for_payment_in_full(app):
    case_id = case_in_state("publicized").id
    assert "罚没款尚未缴清" in refused(case_id, "close", "linhe_head", summary="结案").message()
    act(case_id, "record_payment", "linhe_inspector1", amount="5000", paid_on=local_today(),
        reference="BANK-3")
    assert "罚没款尚未缴清" in refused(case_id, "close", "linhe_head", summary="结案").message()
    act(case_id, "record_payment", "linhe_inspector1", amount="15000", paid_on=local_today(),
        reference="BANK-4")
    assert act(case_id, "close", "linhe_head", summary="结案").case.state is CaseState.closed


def test_partial_payment_keeps_the_payment_clock_running(app):
    # DESIGN §3: the payment clock stops when paid in full; a part payment leaves it running
    case_id = case_in_state("publicized").id
    act(case_id, "record_payment", "linhe_inspector1", amount="5000", paid_on=local_today(),
        reference="BANK-5")
    assert clock_status(case_id, "payment") is RUNNING


def test_court_enforcement_case_can_be_closed_after_the_ruling(app):
    # no case may be stuck in 申请法院强制执行: once the court has ruled, the bureau can close it
    # (closing waits for publication, so a case must not reach the court unpublished)
    case_id = case_in_state("court_enforcement").id
    act(case_id, "accept_enforcement", "court_linhe", court_case_no="（2026）执2号")
    act(case_id, "rule_enforcement", "court_linhe", ruling="enforce", reasons="准予执行。")
    allowed = {a.name for a in services.allowed_actions(db.session.get(Case, case_id),
                                                        user("linhe_head"))}
    assert allowed & {"close", "publish"}
