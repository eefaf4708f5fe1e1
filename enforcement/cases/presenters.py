"""What the case page shows, gathered in one place for the template."""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from enforcement.auth.models import User
from enforcement.cases.facts import Facts
from enforcement.cases.models import Case, CaseEvent, CaseMark, CaseParty
from enforcement.cases.scope import can_read, reading_side
from enforcement.cases.services import allowed_actions, refusals_for
from enforcement.clocks import holidays
from enforcement.clocks.models import Clock
from enforcement.clocks.presenters import ClockView
from enforcement.clocks.presenters import clock_view as _clock_view
from enforcement.db import local_today
from enforcement.documents.models import Document
from enforcement.documents.types import DOC_TYPES
from enforcement.evidence.models import Evidence
from enforcement.evidence.thumbnails import has_thumbnail
from enforcement.evidence.views import READERS as EVIDENCE_READERS
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.rules.assessment import repeat_flags
from workflows import engine
from workflows.definition import ACTIONS_BY_NAME
from workflows.spec import Side

__all__ = ["Facts", "case_page", "page_loads"]


def page_loads() -> tuple:
    """What the case page reads of a case, to load with it (one statement per collection)
    rather than row by row as the template reaches it: each event's actor, each party, each
    mark's register entry. (Built when asked: options configure the mappers.)"""
    return (selectinload(Case.events).joinedload(CaseEvent.actor),
            selectinload(Case.parties).joinedload(CaseParty.party),
            selectinload(Case.marks).joinedload(CaseMark.trademark),
            selectinload(Case.goods), selectinload(Case.inspectors))


def case_page(case, user, *, page: bool = True) -> dict:
    """What the case page shows; ``page=False`` leaves out what only the page shows (actions
    blocked by a guard, the parties' record), for the API."""
    facts = Facts(case)
    allowed = allowed_actions(case, user, facts)
    # actions the user could take in this state but for a guard: shown with the reason
    blocked = []
    for action in engine.actions_from(case.state) if page else ():
        if action in allowed:
            continue
        refusals = refusals_for(action, case, user, facts)
        if refusals and refusals[0].code not in ("permission", "jurisdiction", "state"):
            blocked.append((action, refusals))
    side = reading_side(user, case)
    clocks = case_clocks(case, side)
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
        "clocks": clocks,
        "calendar_gaps": sorted({c.clock.unknown_year for c in clocks if c.status == "unknown"}),
        "standing": party_standing(case, user) if side is Side.bureau and page else None,
        "documents": documents,
        "events": list(reversed(events)),
        "evidence": evidence,
        "has_thumbnail": has_thumbnail,
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
    Side.court: ("court_acceptance", "court_ruling"),
}
_REFERRAL_STARTS = {Side.police: "approve_transfer", Side.procuratorate: "approve_transfer",
                    Side.court: "apply_court_enforcement"}


def _events_since_referral(case, side):
    start = _REFERRAL_STARTS.get(side)
    for index, event in enumerate(case.events):
        if event.action == start:
            return case.events[index:]
    return []


def case_clocks(case, side: Side) -> list[ClockView]:
    """The clocks a reader of this side sees, what needs attention first."""
    today, cal = local_today(), holidays.current()
    rows = db.session.scalars(select(Clock).where(Clock.case_id == case.id).order_by(Clock.id)
                              .options(selectinload(Clock.events)))
    views = [_clock_view(c, today, cal) for c in rows
             if side is Side.bureau or c.kind in RECEIVER_CLOCKS.get(side, ())]
    return sorted(views, key=lambda v: v.sort_key)


def clock_view(clock: Clock) -> ClockView:
    return _clock_view(clock, local_today(), holidays.current())


def clock_status_labels() -> dict[str, str]:
    return {"running": _("计时中"), "due_soon": _("即将到期"), "paused": _("已暂停"),
            "met": _("已完成"), "cancelled": _("已取消"), "overdue": _("已超期"),
            "lapsed": _("已届满"), "unknown": _("日历缺失")}


def party_standing(case, user) -> dict:
    """Repeat-infringer flags of the case's parties, with the cases they rest on (linked
    where the user may read them)."""
    flags = repeat_flags(case, local_today())
    readable = {p.case.id for p in flags.heavier + flags.prior_penalties
                if can_read(user, p.case)}
    return {"flags": flags, "readable": readable}


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
    if spec.kind == "files" and isinstance(value, list):
        # file name and the start of its hash; the evidence list shows the full hash
        return "、".join(f"{f.get('name', '')}（SHA-256 {str(f.get('sha256', ''))[:12]}…）"
                        for f in value if isinstance(f, dict))
    if spec.kind == "rows" and isinstance(value, list):
        # one line per row: "物品名称：…，数量：…"; the page keeps the line breaks
        return "\n".join(
            "，".join(f"{_(column.label)}：{describe(column, row[column.name])}"
                     for column in spec.columns if row.get(column.name) not in (None, ""))
            for row in value if isinstance(row, dict))
    if spec.kind == "document":
        document = db.session.get(Document, value)
        return f"{document.title} {document.number or ''}".strip() if document else str(value)
    return str(value)
