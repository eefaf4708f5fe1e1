"""Read side: the holder's open requests, the inspectors' mediation requests, the inbox."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from enforcement.cases.models import Case, CaseEvent, case_inspectors
from enforcement.cases.scope import holder_cases, visible_cases
from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.outbox.models import OutboxMessage
from workflows.definition import ACTIONS_BY_NAME


def _count(action: str):
    return (select(func.count(CaseEvent.id))
            .where(CaseEvent.case_id == Case.id, CaseEvent.action == action)
            .correlate(Case).scalar_subquery())


def _open(asked: str, answered: str):
    """Cases with more requests of one kind than answers to them."""
    return _count(asked) > _count(answered)


def _last_event(case: Case, action: str) -> CaseEvent:
    return db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                     CaseEvent.action == action)
                             .order_by(CaseEvent.id.desc()).limit(1))


# -- identification (辨认/鉴别) requests to the rights holder ---------------------------------
@dataclass
class IdentificationRequest:
    case: Case
    event: CaseEvent

    @property
    def items(self) -> str:
        return self.event.data.get("items") or ""

    @property
    def reply_by(self) -> date | None:
        value = self.event.data.get("reply_by")
        return date.fromisoformat(value) if value else None

    @property
    def overdue(self) -> bool:
        return self.reply_by is not None and local_today() > self.reply_by

    @property
    def photos(self) -> list[dict]:
        return list(self.event.data.get("photos") or [])


_ANSWERABLE = ACTIONS_BY_NAME["record_identification"].sources


def open_identification_requests(user) -> list[IdentificationRequest]:
    """协助辨认 requests on the cases the user follows as the rights holder, oldest first."""
    if not user.can("identification.answer"):
        return []
    cases = db.session.scalars(
        select(Case).where(holder_cases(user), Case.state.in_(_ANSWERABLE),
                           _open("request_identification", "record_identification"))
        .order_by(Case.id))
    requests = [IdentificationRequest(c, _last_event(c, "request_identification"))
                for c in cases]
    return sorted(requests, key=lambda r: (r.reply_by or date.max, r.case.id))


def open_identification_request(user, case) -> IdentificationRequest | None:
    return next((r for r in open_identification_requests(user) if r.case.id == case.id), None)


# -- mediation of compensation (商标法 Art. 60 ¶3) ---------------------------------------------
@dataclass
class MediationRequest:
    case: Case
    event: CaseEvent

    @property
    def amount(self) -> Decimal | None:
        value = self.event.data.get("amount")
        return Decimal(value) if value is not None else None

    @property
    def reasons(self) -> str:
        return self.event.data.get("reasons") or ""


def pending_mediation_requests(user) -> list[MediationRequest]:
    """Mediation requests waiting for an answer on the cases the user is assigned to (for the
    inspector's work list and dashboard), oldest first."""
    assigned = select(case_inspectors.c.case_id).where(case_inspectors.c.user_id == user.id)
    cases = db.session.scalars(
        select(Case).where(Case.id.in_(assigned), visible_cases(user),
                           _open("request_mediation", "record_mediation"))
        .order_by(Case.id))
    requests = [MediationRequest(c, _last_event(c, "request_mediation")) for c in cases]
    return sorted(requests, key=lambda r: r.event.id)


def mediation_history(case) -> list[CaseEvent]:
    """The holder's requests and the bureau's answers on one case, in order."""
    return list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id,
                                CaseEvent.action.in_(("request_mediation", "record_mediation")))
        .order_by(CaseEvent.id)))


# -- the portal inbox -----------------------------------------------------------------------
def inbox(user, limit: int = 100) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == "portal",
                                    OutboxMessage.recipient == f"user:{user.id}")
        .order_by(OutboxMessage.id.desc()).limit(limit)))


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.channel == "portal", OutboxMessage.recipient == f"user:{user.id}",
            OutboxMessage.read_at.is_(None)))
