"""What the case page shows, gathered in one place for the template."""
from flask_babel import gettext as _
from sqlalchemy import select

from enforcement.auth.models import User
from enforcement.cases.facts import Facts
from enforcement.cases.services import allowed_actions, refusals_for
from enforcement.clocks.kinds import CLOCK_KINDS
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import local_today
from enforcement.documents.models import Document
from enforcement.documents.types import DOC_TYPES
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from workflows import engine
from workflows.definition import ACTIONS_BY_NAME

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
    clocks = db.session.scalars(select(Clock).where(Clock.case_id == case.id)
                                .order_by(Clock.started_at)).all()
    documents = db.session.scalars(select(Document).where(Document.case_id == case.id)
                                   .order_by(Document.id)).all()
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
        "events": list(reversed(case.events)),
    }


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
