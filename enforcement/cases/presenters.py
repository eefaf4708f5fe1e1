"""What the case page shows, gathered in one place for the template."""
from flask_babel import gettext as _
from sqlalchemy import select

from enforcement.auth.models import User
from enforcement.cases.facts import Facts
from enforcement.cases.scope import reading_side
from enforcement.cases.services import allowed_actions, refusals_for
from enforcement.clocks.kinds import CLOCK_KINDS
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import local_today
from enforcement.documents.models import Document
from enforcement.documents.types import DOC_TYPES
from enforcement.evidence.models import Evidence
from enforcement.evidence.views import READERS as EVIDENCE_READERS
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from workflows import engine
from workflows.definition import ACTIONS_BY_NAME
from workflows.spec import Side

__all__ = ["Facts", "case_page"]


def case_page(case, user) -> dict:
    facts = Facts(case)
    allowed = allowed_actions(case, user, facts)
    # actions the user could take in this state but for a guard: shown with the reason
    blocked = []
    for action in engine.actions_from(case.state):
        if action in allowed:
            continue
        refusals = refusals_for(action, case, user, facts)
        if refusals and refusals[0].code not in ("permission", "jurisdiction", "state"):
            blocked.append((action, refusals))
    side = reading_side(user, case)
    clocks = [c for c in db.session.scalars(select(Clock).where(Clock.case_id == case.id)
                                            .order_by(Clock.started_at))
              if side is Side.bureau or c.kind in RECEIVER_CLOCKS.get(side, ())]
    documents = [d for d in db.session.scalars(select(Document)
                                               .where(Document.case_id == case.id)
                                               .order_by(Document.id))
                 if side is Side.bureau or d.doc_type in RECEIVER_DOCUMENTS.get(side, ())]
    events = case.events if side is Side.bureau else _events_since_referral(case, side)
    evidence = []
    if side in EVIDENCE_READERS:
        evidence = db.session.scalars(select(Evidence).where(Evidence.case_id == case.id)
                                      .order_by(Evidence.id)).all()
    return {
        "actions": ACTIONS_BY_NAME,
        "doc_types": DOC_TYPES,
        "describe": describe,
        "clock_status_labels": clock_status_labels(),
        "case": case,
        "allowed": allowed,
        "blocked": blocked,
        "clocks": [clock_view(c) for c in clocks],
        "documents": documents,
        "events": list(reversed(events)),
        "evidence": evidence,
    }


#: what a receiving organ sees of the bureau's file: what was sent to it (Decree 310 Art. 6;
#: 行政强制法 Art. 55), not the bureau's internal approvals
_TRANSFER_DOCUMENTS = ("transfer_letter", "transfer_report", "seized_goods_list",
                       "coercive_measure_decision", "property_list", "inquiry_record",
                       "inspection_record", "sampling_record")
RECEIVER_DOCUMENTS = {
    Side.police: _TRANSFER_DOCUMENTS,
    Side.procuratorate: _TRANSFER_DOCUMENTS,
    Side.court: ("enforcement_application", "penalty_decision", "payment_demand",
                 "service_record"),
}
RECEIVER_CLOCKS = {
    Side.police: ("transfer_delivery", "police_decision", "reconsideration", "goods_handover"),
    Side.procuratorate: ("transfer_delivery", "police_decision", "reconsideration"),
}
_REFERRAL_STARTS = {Side.police: "approve_transfer", Side.procuratorate: "approve_transfer",
                    Side.court: "apply_court_enforcement"}


def _events_since_referral(case, side):
    start = _REFERRAL_STARTS.get(side)
    for index, event in enumerate(case.events):
        if event.action == start:
            return case.events[index:]
    return []


def clock_view(clock: Clock) -> dict:
    kind = CLOCK_KINDS[clock.kind]
    today = local_today()
    if clock.status in (ClockStatus.met, ClockStatus.cancelled):
        status = clock.status.value
    elif clock.due_on is None:
        status = "unknown"  # the holiday calendar of a year it needs is not entered yet
    elif today > clock.due_on:
        status = "overdue"
    else:
        status = clock.status.value
    days_left = (clock.due_on - today).days if clock.due_on else None
    return {"kind": kind, "clock": clock, "status": status, "days_left": days_left}


def clock_status_labels() -> dict[str, str]:
    return {"running": _("计时中"), "paused": _("已暂停"), "met": _("已完成"),
            "cancelled": _("已取消"), "overdue": _("已超期"), "unknown": _("日历缺失")}


def describe(spec, value) -> str:
    """A stored action field as a clerk reads it."""
    if spec.kind == "choice":
        return next((_(label) for v, label in spec.choices if v == value), str(value))
    if spec.kind == "bool":
        return _("是") if value else _("否")
    if spec.kind == "users":
        users = db.session.scalars(select(User).where(User.id.in_(value)))
        return "、".join(u.full_name for u in users)
    if spec.kind == "unit":
        unit = db.session.get(OrgUnit, value)
        return unit.name if unit else str(value)
    if spec.kind == "document":
        document = db.session.get(Document, value)
        return f"{document.title} {document.number or ''}".strip() if document else str(value)
    return str(value)
