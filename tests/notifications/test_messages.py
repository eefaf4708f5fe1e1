"""Messages queued with the action that causes them: to whom, what they say, and never for an
action that rolled back."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from enforcement.cases import services
from enforcement.cases.models import Case
from enforcement.clocks.models import ClockStatus
from enforcement.db import local_today
from enforcement.errors import Invalid
from enforcement.extensions import db
from enforcement.notifications.queries import pending_mediation_requests
from enforcement.outbox.models import MessageStatus, OutboxMessage
from tests.clocks.helpers import clock
from tests.conftest import case_in_state, user
from tests.notifications.helpers import (
    PARTY_NAME,
    act,
    ask_identification,
    messages,
    register,
    team,
    today_filed,
)
from workflows.states import CaseState


def to_filing_review(case_id):
    team(case_id, None)
    act(case_id, "propose_filing", "linhe_inspector1", cause="涉嫌销售假冒注册商标的商品",
        facts="现场查见涉嫌侵权面粉，经营者王某某称系自某批发市场购进。", proposal="file",
        reason="符合立案条件。")


def assert_clean(message: OutboxMessage):
    """Chinese, and nothing of the other party or of the bureau's internal notes."""
    assert "举报" in message.body or "调解" in message.body or "辨认" in message.body
    for secret in (PARTY_NAME, "王某某", "批发市场", "同意立案", "内部"):
        assert secret not in message.body, secret


def test_filing_is_told_to_an_sms_reporter_and_its_clock_waits_for_delivery(app):
    case_id = register(local_today())
    to_filing_review(case_id)
    act(case_id, "approve_filing", "linhe_head", opinion="同意立案。内部意见：货值较大。")
    [message] = messages(case_id)
    case = db.session.get(Case, case_id)
    assert (message.channel, message.recipient, message.topic, message.status) == (
        "sms", "13900000000", "filing_decision", MessageStatus.pending)
    assert case.report_no in message.body and "决定立案调查" in message.body
    assert_clean(message)
    # queued is not told: the 5-working-day clock runs until the text message is handed over
    assert clock(case_id, "inform_reporter").status is ClockStatus.running


def test_a_portal_reporter_is_told_at_once_and_by_e_mail(app):
    hetao = user("holder_hetao")
    hetao.email = "weiquan@hetao.example"
    db.session.commit()
    case_id = register(local_today(), reporter_user="holder_hetao")
    to_filing_review(case_id)
    act(case_id, "reject_filing", "linhe_head", reason="证据不足，内部讨论后不予立案。")
    found = {(m.channel, m.recipient) for m in messages(case_id)}
    assert found == {("portal", f"user:{hetao.id}"), ("email", "weiquan@hetao.example")}
    for message in messages(case_id):
        assert "不予立案" in message.body
        assert_clean(message)
    # a notice in the portal counts as telling (投诉举报办法 Art. 31)
    assert clock(case_id, "inform_reporter").status is ClockStatus.met


def test_no_message_survives_an_action_that_rolled_back(app, monkeypatch):
    case_id = register(local_today())
    to_filing_review(case_id)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    # the audit row is written after the messages are queued, in the same transaction
    monkeypatch.setattr(services.audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        act(case_id, "approve_filing", "linhe_head", opinion="同意立案。")
    monkeypatch.undo()
    assert messages(case_id) == []
    assert db.session.get(Case, case_id).state is CaseState.filing_review
    act(case_id, "approve_filing", "linhe_head", opinion="同意立案。")
    assert len(messages(case_id)) == 1


def test_an_identification_request_reaches_the_rights_holder(app):
    case_id = today_filed()
    ask_identification(case_id)
    hetao = user("holder_hetao")  # owner of the 河套 mark of the case
    [message] = messages(case_id, topic="identification")
    assert (message.channel, message.recipient) == ("portal", f"user:{hetao.id}")
    assert "协助辨认" in message.body and "待办" in message.body
    assert_clean(message)


def test_an_outcome_is_told_to_the_reporter(app):
    case = case_in_state("publicized")
    case.reporter_name, case.reporter_contact = "李四", "lisi@example.com"
    db.session.commit()
    act(case.id, "record_payment", "linhe_inspector1", amount="20000",
        paid_on=local_today(), reference="BANK-9")
    act(case.id, "close", "linhe_head", summary="结案。")
    [message] = messages(case.id, recipient="lisi@example.com")
    assert (message.channel, message.topic) == ("email", "outcome")
    assert "案件已办结" in message.body
    party_names = [cp.party.name for cp in db.session.get(Case, case.id).parties]
    assert party_names and not any(name in message.body for name in party_names)


def test_mediation_request_reaches_the_inspectors_and_the_answer_the_holder(app):
    case_id = today_filed()
    act(case_id, "request_mediation", "holder_hetao", amount="50000",
        reasons="侵权人销售假冒面粉，造成我会损失。")
    inspector1, inspector2 = user("linhe_inspector1"), user("linhe_inspector2")
    [pending] = pending_mediation_requests(inspector1)
    assert (pending.case.id, pending.amount) == (case_id, Decimal("50000.00"))
    assert [r.case.id for r in pending_mediation_requests(inspector2)] == [case_id]
    assert pending_mediation_requests(user("wuyuan_inspector1")) == []
    told = {m.recipient for m in messages(case_id, topic="mediation_request")}
    assert told == {f"user:{inspector1.id}", f"user:{inspector2.id}"}

    # a second request while the first is open is refused; so is an agreement without amount
    with pytest.raises(services.Refused):
        act(case_id, "request_mediation", "holder_hetao", amount="1", reasons="再次申请")
    version = db.session.get(Case, case_id).version
    with pytest.raises(Invalid) as refused:
        act(case_id, "record_mediation", "linhe_inspector1", outcome="agreed", note="已调解。")
    assert "agreed_amount" in refused.value.errors
    assert db.session.get(Case, case_id).version == version

    act(case_id, "record_mediation", "linhe_inspector1", outcome="agreed",
        agreed_amount="30000", note="双方同意由侵权人一次性赔偿。")
    assert pending_mediation_requests(inspector1) == []
    [answer] = messages(case_id, topic="mediation")
    assert answer.recipient == f"user:{user('holder_hetao').id}"
    assert "30000.00" in answer.body and "达成协议" in answer.body
    assert_clean(answer)


def test_only_the_holder_side_may_ask_for_mediation(app):
    case_id = today_filed()
    for outsider in ("holder_weixin", "linhe_inspector1"):
        with pytest.raises((services.Refused, services.NotFound)):
            act(case_id, "request_mediation", outsider, amount="1", reasons="申请")
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.case_id == case_id, OutboxMessage.topic == "mediation_request")).all() == []


def test_every_named_reporter_of_a_portal_case_is_told_under_its_own_tracking_number(app):
    from enforcement.reports.models import Report

    case_id = register(local_today())
    weixin = user("holder_weixin")
    db.session.add_all([
        Report(tracking_no="JB-FIRST", access_code_hash="0" * 64, case_id=case_id,
               reporter_name="张三", reporter_phone="13900000000"),
        Report(tracking_no="JB-JOINED", access_code_hash="1" * 64, case_id=case_id,
               linked=True, reporter_name="维信维权部", reporter_email="wq@weixin.example",
               submitted_by_user_id=weixin.id),
        Report(tracking_no="JB-ANON", access_code_hash="2" * 64, case_id=case_id,
               linked=True, anonymous=True, reporter_phone="13700000000"),
    ])
    db.session.commit()
    to_filing_review(case_id)
    act(case_id, "approve_filing", "linhe_head", opinion="同意立案。")
    told = {(m.channel, m.recipient, m.body.split("）")[0]) for m in messages(case_id)}
    assert told == {
        ("sms", "13900000000", "您提交的举报（登记编号 JB-FIRST"),
        ("portal", f"user:{weixin.id}", "您提交的举报（登记编号 JB-JOINED"),
        ("email", "wq@weixin.example", "您提交的举报（登记编号 JB-JOINED"),
    }
