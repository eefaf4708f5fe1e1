"""Each guard of the procedure refuses through HTTP with a reason a clerk can act on, and the
refused action changes nothing: neither the state nor the version (issue 6)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from enforcement.audit.models import AuditEntry
from enforcement.cases.models import Case, CaseEvent
from enforcement.db import acting_as_of, local_today
from enforcement.extensions import db
from tests.conftest import case_in_state, user
from tests.procedure.desk import (
    Desk,
    clocks,
    document,
    documents,
    errors,
    flashes,
    rows,
    state,
)


@pytest.fixture
def desk(client):
    return Desk(client)


def refused(desk, case_id, action, why, **fields):
    """A guard refusal: redirected with the reason, nothing changed but the audit row."""
    before, docs = state(case_id), len(documents(case_id))
    response = desk.post(case_id, action, **fields)
    assert response.status_code == 303
    assert why in flashes(desk)
    assert state(case_id) == before and len(documents(case_id)) == docs
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.refused")
                              .order_by(AuditEntry.seq.desc()).limit(1))
    assert entry.object_id == str(case_id) and entry.detail["action"] == action


def invalid(desk, case_id, action, reason, **fields):
    """A check across the form's fields: shown on the form (422), nothing changed."""
    before, docs = state(case_id), len(documents(case_id))
    response = desk.post(case_id, action, **fields)
    assert response.status_code == 422, response.status_code
    found = errors(response)
    assert any(reason in e for e in found), found
    assert state(case_id) == before and len(documents(case_id)) == docs
    return found


def test_one_inspector_instead_of_two(app, desk):
    case_id = case_in_state("registered").id
    desk.as_("linhe_unit_head")
    invalid(desk, case_id, "assign", "须选择至少 2 名持有执法证件的执法人员，现选择了 1 名",
            inspectors=[user("linhe_inspector1").id])
    desk.do(case_id, "assign", inspectors=[user("linhe_inspector1").id,
                                           user("linhe_inspector2").id])


def test_decision_before_the_statement_window_ends(app, desk):
    case_id = case_in_state("notified").id  # the 告知书 issued, not served yet
    desk.as_("linhe_inspector1")
    refused(desk, case_id, "submit_for_decision",
            "陈述、申辩期限尚未届满，当事人也未书面放弃陈述、申辩")
    notice = document(case_id, "penalty_notice")
    desk.do(case_id, "record_service", document=notice.id, method="direct",
            served_on=local_today().isoformat(), recipient="当事人")
    refused(desk, case_id, "submit_for_decision", "陈述、申辩期限尚未届满")
    with acting_as_of(clocks(case_id, "statement")[-1].due_on + timedelta(days=1)):
        desk.do(case_id, "submit_for_decision")
    assert state(case_id)[0] == "decision_review"


def test_fine_over_the_cap(app, desk):
    case_id = case_in_state("decision_review").id
    found = invalid(desk.as_("linhe_head"), case_id, "decide_penalty", "超过本案法定上限",
                    violation="销售侵权商品。", legal_basis="《商标法》第六十条第二款",
                    fine="250000.01", heavier_reasoning="二次侵权。")
    assert any("250000" in e and "《商标法》第六十条第二款" in e for e in found)


def test_heavier_punishment_reasoning_missing_for_a_repeat_infringer(app, desk):
    # the demo party of this case was penalised eight months ago (seed: cases 11 and 18)
    case_id = case_in_state("decision_review").id
    fields = dict(violation="当事人再次销售侵权商品。", legal_basis="《商标法》第六十条第二款",
                  fine="60000", order_to_stop="y")
    desk.as_("linhe_head")
    found = invalid(desk, case_id, "decide_penalty", "应当从重处罚，请填写从重处罚理由", **fields)
    assert any("《商标法》第六十条第二款" in e for e in found)
    issued = desk.do(case_id, "decide_penalty", **fields,
                     heavier_reasoning="当事人八个月前因同类行为受过处罚，仍再次销售。")
    decision = issued[0]
    assert decision.data["decision"]["heavier_reasoning"].startswith("当事人八个月前")
    assert decision.data["decision"]["items"][0] == "责令立即停止侵权行为"


def test_closing_with_an_unpaid_fine(app, desk):
    case_id = case_in_state("publicized").id  # decided, served and published; not paid
    refused(desk.as_("linhe_head"), case_id, "close", "罚没款尚未缴清，也未经人民法院强制执行终结",
            summary="结案。")


def test_a_late_payment_carries_the_surcharge_to_the_day(app, desk):
    case_id = case_in_state("publicized").id
    case = db.session.get(Case, case_id)
    fine, due_on = case.fine_amount, clocks(case_id, "payment")[-1].due_on
    paid_on = due_on + timedelta(days=4)  # the 4th day after the period's last day
    with acting_as_of(paid_on):
        form = desk.as_("linhe_inspector1").page(f"/cases/{case_id}/actions/record_payment")
        owed = (fine * Decimal("0.03") * 4).quantize(Decimal("0.01"))
        assert f'data-surcharge="{owed}"' in form and "逾期 4 日" in form
        invalid(desk, case_id, "record_payment", "缴纳金额不能超过该数额", amount=str(fine),
                paid_on=paid_on.isoformat(), reference="B-1", surcharge_paid=str(owed + 1))
        desk.do(case_id, "record_payment", amount=str(fine), paid_on=paid_on.isoformat(),
                reference="B-1", surcharge_paid=str(owed))
    event = db.session.scalar(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.action == "record_payment"))
    assert (event.data["overdue_days"], event.data["surcharge_due"]) == (4, str(owed))
    assert event.data["surcharge_capped"] is False


def test_release_and_extension_act_on_the_measure_chosen(app, desk):
    case_id = case_in_state("investigating").id
    desk.as_("linhe_inspector1")
    for goods in ("面粉", "包装袋"):
        desk.do(case_id, "impose_measure", measure="seal", place="仓库",
                legal_basis="《商标法》第六十二条",
                **rows("goods", {"name": goods, "quantity": "5", "unit": "件"}))
    first, second = [d for d in documents(case_id) if d.doc_type == "coercive_measure_decision"]
    form = desk.page(f"/cases/{case_id}/actions/release_measure")
    assert first.number in form and second.number in form
    # the first measure is released although the second is the latest
    desk.do(case_id, "release_measure", measure_document=first.id, reason="已鉴定。")
    seizures = clocks(case_id, "seizure")
    assert [c.status.value for c in seizures] == ["met", "running"]
    desk.as_("linhe_head").do(case_id, "extend_measure", measure_document=second.id,
                              reason="需要检测。")
    assert clocks(case_id, "seizure")[1].extensions == 1
    refused(desk, case_id, "extend_measure", "查封、扣押期限只能延长一次",
            measure_document=second.id, reason="再延长。")
    # the released measure can no longer be chosen
    response = desk.as_("linhe_inspector1").post(case_id, "release_measure",
                                                 measure_document=first.id, reason="再解除。")
    assert response.status_code == 422 and state(case_id)[0] == "investigating"
    goods = [g.name for g in db.session.get(Case, case_id).goods]
    assert "面粉" in goods and "包装袋" in goods
