"""The facts the workflow's guards ask about one case (see ``workflows.guards.CaseFacts``)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from sqlalchemy import func, select

from enforcement.auth.models import Role, User, role_permissions, user_roles
from enforcement.clocks import holidays
from enforcement.clocks.calendar import CalendarUnknown, latest_day_before, working_days_between
from enforcement.clocks.models import OPEN_STATUSES, Clock, ClockEventKind, ClockStatus
from enforcement.db import TransactionMemo, local_today
from enforcement.documents.models import Document
from enforcement.documents.types import DECISION_TYPES
from enforcement.extensions import db
from enforcement.referrals.models import ReferralKind
from workflows.spec import N_


class Facts:
    """Computed on demand from the case file; one instance per request."""

    def __init__(self, case):
        self.case = case
        self.today = local_today()

    # -- events ---------------------------------------------------------------------------
    @cached_property
    def _counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for event in self.case.events:
            counts[event.action] = counts.get(event.action, 0) + 1
        return counts

    def count(self, action: str) -> int:
        return self._counts.get(action, 0)

    def last_data(self, action: str) -> dict:
        for event in reversed(self.case.events):
            if event.action == action:
                return event.data
        return {}

    def discussions(self, subject: str) -> int:
        return sum(1 for e in self.case.events if e.action == "record_collective_discussion"
                   and e.data.get("subject") == subject)

    # -- team -----------------------------------------------------------------------------
    @cached_property
    def credentialed_colleagues(self) -> int:
        return len(credentialed_inspectors(self.case.unit_id))

    @property
    def team_size(self) -> int:
        return len(self.case.inspectors)

    @property
    def is_major(self) -> bool:
        return self.case.is_major

    @property
    def identification_pending(self) -> bool:
        return self.count("request_identification") > self.count("record_identification")

    # -- clocks ---------------------------------------------------------------------------
    @cached_property
    def _clocks(self) -> dict[str, Clock]:
        rows = db.session.scalars(select(Clock).where(Clock.case_id == self.case.id)
                                  .order_by(Clock.id))
        return {clock.kind: clock for clock in rows}  # the latest of each kind

    def clock(self, kind: str) -> Clock | None:
        """The latest clock of a kind on the case."""
        return self._clocks.get(kind)

    def _expired(self, kind: str) -> bool:
        clock = self._clocks.get(kind)
        return (clock is not None and clock.status is not ClockStatus.cancelled
                and clock.due_on is not None and self.today > clock.due_on)

    def _open(self, kind: str) -> bool:
        clock = self._clocks.get(kind)
        return clock is not None and clock.status in OPEN_STATUSES

    @property
    def statement_window_over(self) -> bool:
        return self._expired("statement")

    @property
    def waiver_recorded(self) -> bool:
        return any(e.action == "record_statement" and e.data.get("kind") == "waiver"
                   for e in self.case.events)

    @property
    def hearing_eligible(self) -> bool:
        # the 告知书 told the party of its hearing right (the reviewer applies the rule)
        return bool(self.last_data("pass_review").get("hearing_rights"))

    @property
    def payment_overdue(self) -> bool:
        return self._open("payment") and self._expired("payment")

    @property
    def remedies_expired(self) -> bool:
        return self._expired("review_period") and self._expired("litigation_period")

    @property
    def reconsideration_window_open(self) -> bool:
        return self._open("reconsideration") and not self._expired("reconsideration")

    @cached_property
    def measures(self) -> list["Measure"]:
        return active_measures(self.case)

    @property
    def measure_extendable(self) -> bool:
        # each 查封/扣押 may be extended once, by 30 days (行政强制法 Art. 25)
        return any(m.clock.extensions == 0 for m in self.measures)

    # -- decision and money ---------------------------------------------------------------
    @property
    def decision_kind(self) -> str | None:
        decisions = [e.action for e in self.case.events
                     if e.action in ("decide_penalty", "decide_no_penalty")]
        if not decisions:
            return None
        return "penalty" if decisions[-1] == "decide_penalty" else "no_penalty"

    @property
    def warning_only(self) -> bool:
        data = self.last_data("decide_penalty")
        return bool(data.get("warning")) and not any(
            data.get(k) for k in ("criticism", "fine", "confiscation", "confiscated_goods"))

    @property
    def amount_due(self) -> Decimal:
        case = self.case
        total = (case.fine_amount or Decimal(0)) + (case.confiscation_amount or Decimal(0))
        return total - (case.paid_amount or Decimal(0))

    @property
    def demand_served_working_days(self) -> int | None:
        demand = self._served("payment_demand")
        if demand is None:
            return None
        try:
            return working_days_between(demand.served_on, self.today, holidays.current())
        except CalendarUnknown:
            return None

    # -- documents ------------------------------------------------------------------------
    @cached_property
    def _documents(self) -> list[Document]:
        return list(db.session.scalars(select(Document).where(Document.case_id == self.case.id)
                                       .order_by(Document.id)))

    def _served(self, doc_type: str) -> Document | None:
        # a revoked document no longer counts: its correction must be served in turn
        served = [d for d in self._documents
                  if d.doc_type == doc_type and d.served_at and d.revoked_at is None]
        return served[-1] if served else None

    @property
    def unserved_documents(self) -> int:
        return len(unserved_documents(self._documents))

    @property
    def decision_served(self) -> bool:
        return any(self._served(t) for t in DECISION_TYPES)

    # -- hearing ---------------------------------------------------------------------------
    @property
    def hearing_on(self) -> date | None:
        """The day of the hearing as last notified (requested or rescheduled)."""
        for event in reversed(self.case.events):
            if event.action in ("request_hearing", "reschedule_hearing"):
                return date.fromisoformat(event.data["hearing_on"])
        return None

    @property
    def hearing_notice_served(self) -> bool:
        # served at least 7 working days before the hearing (APL Art. 64 ¶1 (二), Art. 85)
        notice, hearing_on = self._served("hearing_notice"), self.hearing_on
        if notice is None or hearing_on is None:
            return False
        latest = [d for d in self._documents
                  if d.doc_type == "hearing_notice" and d.revoked_at is None][-1]
        deadline = last_day_to_serve(hearing_on)
        return notice.id == latest.id and deadline is not None and notice.served_on <= deadline

    @property
    def hearing_day_reached(self) -> bool:
        return self.hearing_on is not None and self.today >= self.hearing_on

    # -- publicity ------------------------------------------------------------------------
    @property
    def publication_active(self) -> bool:
        return self.count("publish") > self.count("withdraw_publication")

    @property
    def publication_required(self) -> bool:
        return (self.decision_kind == "penalty" and not self.warning_only
                and self.count("publish") == 0)

    # -- referrals ------------------------------------------------------------------------
    @property
    def referral_acknowledged(self) -> bool:
        from enforcement.cases.scope import current_referral

        referral = current_referral(self.case, ReferralKind.police)
        return referral is not None and referral.acknowledged_at is not None

    @property
    def supplement_pending(self) -> bool:
        return self.count("request_supplement") > self.count("supply_materials")

    @property
    def measures_active(self) -> int:
        return len(self.measures)

    @property
    def enforcement_accepted(self) -> bool:
        return self.count("accept_enforcement") > 0

    @property
    def enforcement_ruled(self) -> bool:
        return self.count("rule_enforcement") > 0

    @property
    def goods_to_hand_over(self) -> bool:
        seized = self.count("impose_measure") > 0 or bool(
            self.last_data("propose_transfer").get("goods_list"))
        return self.count("accept_transfer") > 0 and seized and self.count("hand_over_goods") == 0


@dataclass(frozen=True)
class Measure:
    """A 查封/扣押 in force: its decision (文书 21) and its own 30 + 30-day clock."""

    document: Document
    clock: Clock


def active_measures(case) -> list[Measure]:
    """The measures in force, oldest first; a clock and its decision share the action that
    imposed them (the clock's start event and the document's case event)."""
    found = []
    for clock in db.session.scalars(select(Clock).where(
            Clock.case_id == case.id, Clock.kind == "seizure",
            Clock.status.in_(OPEN_STATUSES)).order_by(Clock.id)):
        started = next((e for e in clock.events if e.kind is ClockEventKind.start), None)
        document = started and db.session.scalar(select(Document).where(
            Document.case_id == case.id, Document.doc_type == "coercive_measure_decision",
            Document.event_id == started.case_event_id, Document.revoked_at.is_(None))
            .order_by(Document.id.desc()).limit(1))
        if document is not None:
            found.append(Measure(document, clock))
    return found


def measure_for(case, document_id) -> Measure | None:
    return next((m for m in active_measures(case) if m.document.id == document_id), None)


#: what closing checks (the close action's guards), as the checklist shows each when met
CLOSING_CHECKS = {
    "decision_served": N_("处理决定书已送达当事人"),
    "published_if_required": N_("应当公示的行政处罚信息已公示"),
    "paid_or_enforced": N_("罚没款已缴清，或经人民法院强制执行终结"),
    "goods_handed_over": N_("移送公安机关的涉案物品已移交"),
}


def closing_checklist(case, facts: "Facts | None" = None) -> list[dict]:
    """Each obligation the close guard checks: met or not, and what is missing."""
    from workflows.definition import ACTIONS_BY_NAME

    facts = facts or Facts(case)
    return [{"code": guard.code, "label": CLOSING_CHECKS.get(guard.code, guard.reason),
             "met": bool(guard.check(facts)), "missing": guard.reason}
            for guard in ACTIONS_BY_NAME["close"].guards]


def last_day_to_serve(hearing_on: date) -> date | None:
    """The last day a hearing notice may be served: seven working days before the hearing."""
    try:
        return latest_day_before(hearing_on, 7, holidays.current())
    except CalendarUnknown:
        return None


def unserved_documents(documents) -> list[Document]:
    return [d for d in documents if d.requires_service and d.served_at is None
            and d.revoked_at is None]


#: the credentialed inspectors read in the current transaction, by unit id
_INSPECTORS = TransactionMemo("enforcement.cases.inspectors", User, Role)


def credentialed_inspectors(unit_id: int) -> list[User]:
    """Active users of the unit who hold an enforcement credential and may investigate.

    Read once per transaction (the guard and the assignment form both ask): forgotten at
    commit and rollback, and when the transaction changes a user or a role."""
    known = _INSPECTORS.get()
    if unit_id not in known:
        investigators = (
            select(user_roles.c.user_id)
            .join(role_permissions, role_permissions.c.role_code == user_roles.c.role_code)
            .where(role_permissions.c.permission_code == "case.investigate")
        )
        known[unit_id] = tuple(db.session.scalars(
            select(User).where(User.unit_id == unit_id, User.active.is_(True),
                               User.credential_no.is_not(None),
                               func.length(User.credential_no) > 0,
                               User.id.in_(investigators)).order_by(User.id)))
    return list(known[unit_id])

