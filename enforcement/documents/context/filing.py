"""Reports, filing decisions, jurisdiction transfer and closing (文书 7, 4, 53 and the reports)."""
from enforcement.documents.bidi import isolate
from enforcement.documents.context import common
from workflows.definition import ACTIONS_BY_NAME


def _proposal(case) -> dict:
    """The inspectors' filing proposal (propose_filing) that an approval form answers."""
    event = common.last_event(case, "propose_filing")
    data = event.data if event else {}
    spec = ACTIONS_BY_NAME["propose_filing"].field("proposal")
    return {"facts": data.get("facts"), "reason": data.get("reason"),
            "proposal": common.choice_label(spec.choices, data.get("proposal")),
            "on": common.event_day(event),
            "by": event.actor.full_name if event and event.actor else None}


def report_form(src) -> dict:
    case = src.case
    creator = case_creator(case)
    return {"registered_by": creator}


def case_creator(case) -> str | None:
    from enforcement.auth.models import User
    from enforcement.extensions import db

    user = db.session.get(User, case.created_by_id) if case.created_by_id else None
    return user.full_name if user else None


def report_receipt(src) -> dict:
    # a report is checked within 15 working days, once extendable by 15 (Order 42 Art. 18)
    return {"addressee": src.case.reporter_name}


def report_result_notice(src) -> dict:
    case = src.case
    approved = common.last_event(case, "approve_filing")
    rejected = common.last_event(case, "reject_filing")
    if approved is not None:
        outcome = {"kind": "filed", "on": common.event_day(approved), "reason": None}
    elif rejected is not None:
        outcome = {"kind": "not_filed", "on": common.event_day(rejected),
                   "reason": rejected.data.get("reason")}
    else:
        outcome = {"kind": "verifying", "on": None, "reason": None}
    return {"addressee": case.reporter_name, "outcome": outcome, **_first_report(case)}


def _first_report(case) -> dict:
    """The portal report that opened the case: the reporter knows its tracking number and
    the day it was received, not the case's own 登记编号."""
    from sqlalchemy import select

    from enforcement.extensions import db
    from enforcement.reports.models import Report

    report = db.session.scalar(select(Report).where(Report.case_id == case.id,
                                                    Report.linked.is_(False))
                               .order_by(Report.id).limit(1))
    if report is None:
        return {}
    return {"tracking_no": report.tracking_no, "received_on": common.iso(report.created_at)}


def filing_approval(src) -> dict:
    return {"proposal": _proposal(src.case),
            "approval": {"opinion": src.fields.get("opinion"), "by": src.actor.full_name,
                         "on": src.today.isoformat(),
                         "is_major": bool(src.fields.get("is_major"))}}


def non_filing_approval(src) -> dict:
    return {"proposal": _proposal(src.case),
            "approval": {"opinion": src.fields.get("reason"), "by": src.actor.full_name,
                         "on": src.today.isoformat(), "is_major": False}}


def jurisdiction_transfer_letter(src) -> dict:
    return {"addressee": common.unit_name(src.fields.get("target_unit")),
            "reason": src.fields.get("reason")}


def closing_approval(src) -> dict:
    case = src.case
    decision = (common.latest_document(case, "penalty_decision")
                or common.latest_document(case, "no_penalty_decision"))
    decided = common.last_event(case, "decide_penalty")
    referral = common.last_event(case, "accept_transfer")
    return {
        "decision": common.document_ref(decision),
        "penalty": _penalty_summary(decided.data) if decided else None,
        "paid": common.amount(case.paid_amount or 0),
        "total": common.amount((case.fine_amount or 0) + (case.confiscation_amount or 0)),
        "police_case_no": referral.data.get("police_case_no") if referral else None,
        "court_ruling": _court_ruling(case),
        "summary": src.fields.get("summary"),
        "approval": {"by": src.actor.full_name, "on": src.today.isoformat()},
    }


def _court_ruling(case) -> str | None:
    event = common.last_event(case, "rule_enforcement")
    if event is None:
        return None
    spec = ACTIONS_BY_NAME["rule_enforcement"].field("ruling")
    return common.choice_label(spec.choices, event.data.get("ruling"))


def _penalty_summary(data: dict) -> list[str]:
    """The penalties of a decide_penalty event as a decision lists them."""
    from enforcement.documents.chinese import money, money_upper

    items = []
    if data.get("order_to_stop"):
        items.append("责令立即停止侵权行为")
    if data.get("warning"):
        items.append("警告")
    if data.get("criticism"):
        items.append("通报批评")
    goods = (data.get("confiscated_goods") or "").strip()
    if goods:
        # the field names the goods and tools (商标法 Art. 60 ¶2); a clerk may have written
        # the whole penalty ("没收……") already
        items.append(goods if goods.startswith(("没收", "销毁")) else
                     "没收、销毁侵权商品和主要用于制造侵权商品、伪造注册商标标识的工具："
                     + isolate(goods))
    if data.get("confiscation"):
        items.append(f"没收违法所得人民币{money_upper(data['confiscation'])}"
                     f"（{money(data['confiscation'])}元）")
    if data.get("fine"):
        items.append(f"罚款人民币{money_upper(data['fine'])}（{money(data['fine'])}元）")
    return items


penalty_summary = _penalty_summary

BUILDERS = {fn.__name__: fn for fn in (
    report_form, report_receipt, report_result_notice, filing_approval, non_filing_approval,
    jurisdiction_transfer_letter, closing_approval,
)}
