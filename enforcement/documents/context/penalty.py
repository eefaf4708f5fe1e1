"""Penalty procedure documents: notice, hearing, decisions, service, payment, enforcement,
publication (文书 37, 39, 45, 46, 48, 49, 50 and the 行政处罚信息摘要)."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from enforcement.clocks.models import Clock
from enforcement.documents.bidi import isolate
from enforcement.documents.context import common
from enforcement.documents.context.filing import penalty_summary
from enforcement.documents.context.investigation import _finding, _label
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.rules import assessment


def _last_data(case, action: str) -> dict:
    event = common.last_event(case, action)
    return event.data if event is not None else {}


def _statement(case) -> dict | None:
    event = common.last_event(case, "record_statement")
    if event is None:
        return None
    return {"is_waiver": event.data.get("kind") == "waiver", "content": event.data.get("content"),
            "re_examination": event.data.get("re_examination"), "on": common.event_day(event)}


def _hearing(case) -> dict | None:
    # the hearing as last notified: requested, or rescheduled since
    scheduled = [e for e in case.events if e.action in ("request_hearing", "reschedule_hearing")]
    requested = scheduled[-1] if scheduled else None
    concluded = common.last_event(case, "conclude_hearing")
    if requested is None:
        return None
    return {"on": requested.data.get("hearing_on"), "place": requested.data.get("place"),
            "host": requested.data.get("host"),
            "report": concluded.data.get("report") if concluded else None,
            "record": concluded.data.get("record") if concluded else None}


def _discussion(case) -> dict | None:
    # major cases are decided by the bureau's heads collectively (APL Art. 57 ¶2)
    found = [e for e in common.events(case, "record_collective_discussion")
             if e.data.get("subject") == "decide"]
    if not found:
        return None
    return {"on": found[-1].data.get("held_on"), "conclusion": found[-1].data.get("conclusion")}


def _decision_fields(fields: dict) -> dict:
    total = sum((Decimal(fields[k]) for k in ("fine", "confiscation") if fields.get(k)),
                Decimal(0))
    return {"violation": fields.get("violation"), "legal_basis": fields.get("legal_basis"),
            "warning": bool(fields.get("warning")), "criticism": bool(fields.get("criticism")),
            "fine": common.amount(fields.get("fine")),
            "confiscation": common.amount(fields.get("confiscation")),
            "confiscated_goods": fields.get("confiscated_goods"),
            "heavier_reasoning": fields.get("heavier_reasoning"),
            "items": penalty_summary(fields), "total": common.amount(total)}


def penalty_notice(src) -> dict:
    case = src.case
    return {"finding": _finding(case), "evidence": common.evidence_items(case),
            "filing": common.document_ref(common.latest_document(case, "filing_approval")),
            "hearing_rights": bool(src.fields.get("hearing_rights"))}


def hearing_notice(src) -> dict:
    return {"hearing": {"on": src.fields.get("hearing_on"), "place": src.fields.get("place"),
                        "host": src.fields.get("host")},
            "notice": common.document_ref(common.latest_document(src.case, "penalty_notice"))}


def hearing_record(src) -> dict:
    return {"hearing": {**(_hearing(src.case) or {}), "record": src.fields.get("record"),
                        "recorder": src.actor.full_name}}


def hearing_report(src) -> dict:
    return {"hearing": {**(_hearing(src.case) or {}), "report": src.fields.get("report"),
                        "reporter": src.actor.full_name, "reported_on": src.today.isoformat()},
            "finding": _finding(src.case)}


def penalty_decision(src) -> dict:
    case = src.case
    return {"decision": _decision_fields(src.fields),
            "filing": common.document_ref(common.latest_document(case, "filing_approval")),
            "notice": common.document_ref(common.latest_document(case, "penalty_notice")),
            "hearing_rights": bool(_last_data(case, "pass_review").get("hearing_rights")),
            "statement": _statement(case), "hearing": _hearing(case),
            "discussion": _discussion(case), "evidence": common.evidence_items(case)}


def _supplier(fields: dict) -> dict | None:
    if fields.get("ground") != "seller_exemption" or not fields.get("supplier_name"):
        return None
    unit = fields.get("supplier_unit")
    return {"name": fields.get("supplier_name"), "credit_code": fields.get("supplier_credit_code"),
            "address": fields.get("supplier_address"),
            "bureau": common.unit_name(unit) if unit else None,
            "region": fields.get("supplier_region")}


def no_penalty_decision(src) -> dict:
    case = src.case
    fields = src.fields
    return {"ground": {"label": _label("decide_no_penalty", "ground", fields.get("ground")),
                       "facts": fields.get("facts"),
                       "legal_basis": fields.get("legal_basis"),
                       # the seller is ordered to stop selling, without a fine (Art. 60 ¶2)
                       "seller_exemption": fields.get("ground") == "seller_exemption"},
            "supplier": _supplier(fields),
            "filing": common.document_ref(common.latest_document(case, "filing_approval")),
            "evidence": common.evidence_items(case)}


def _payment_due_on(case) -> date | None:
    clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id,
                                                  Clock.kind == "payment")
                              .order_by(Clock.id.desc()).limit(1))
    return clock.due_on if clock is not None else None


def _amounts(case, today: date) -> dict:
    fine = case.fine_amount or Decimal(0)
    total = fine + (case.confiscation_amount or Decimal(0))
    unpaid = total - (case.paid_amount or Decimal(0))
    due_on = _payment_due_on(case)
    owed = assessment.surcharge(fine, unpaid, due_on, today)
    return {"total": common.amount(total), "paid": common.amount(case.paid_amount or 0),
            "unpaid": common.amount(unpaid), "due_on": common.iso(due_on),
            "overdue_days": owed.days, "surcharge": common.amount(owed.amount)}


def _decided(case) -> dict:
    event = common.last_event(case, "decide_penalty")
    return {"document": common.document_ref(common.latest_document(case, "penalty_decision")),
            **_decision_fields(event.data if event else {})}


def payment_demand(src) -> dict:
    return {"decided": _decided(src.case), "amounts": _amounts(src.case, src.today),
            "content": src.fields.get("content")}


def enforcement_application(src) -> dict:
    case = src.case
    return {"addressee": common.unit_name(src.fields.get("court")),
            "content": src.fields.get("content"), "decided": _decided(case),
            "amounts": _amounts(case, src.today),
            "demand": common.document_ref(common.latest_document(case, "payment_demand")),
            "applicant_head": src.actor.full_name}


def service_record(src) -> dict:
    served = db.session.get(Document, src.fields.get("document"))
    method = src.fields.get("method")
    return {"service": {"document": common.document_ref(served),
                        "method": method, "method_label": _label("record_service", "method",
                                                                 method),
                        "on": src.fields.get("served_on"),
                        "recipient": src.fields.get("recipient"),
                        "server": src.actor.full_name}}


def publication_summary(src) -> dict:
    return {"decided": _decided(src.case), "note": src.fields.get("note")}


def supplier_referral_letter(src) -> dict:
    """案件线索移送函: the supplier a seller named, to the bureau where it is."""
    supplier = _supplier(src.fields) or {}
    addressee = supplier.get("bureau") or (
        f"{isolate(supplier['region'])}市场监督管理部门" if supplier.get("region") else None)
    return {"addressee": addressee, "supplier": supplier,
            "decision": common.document_ref(src.documents.get("no_penalty_decision")),
            "facts": src.fields.get("facts")}


BUILDERS = {fn.__name__: fn for fn in (
    supplier_referral_letter, penalty_notice, hearing_notice, hearing_record, hearing_report,
    penalty_decision, no_penalty_decision, payment_demand, enforcement_application, service_record,
    publication_summary,
)}
