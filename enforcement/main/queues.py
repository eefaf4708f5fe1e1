"""The work queues of each role (DESIGN §1): what waits for the unit head, the inspector, the
legal reviewer and the bureau head, with counts for the dashboard.

Each queue is one WHERE clause inside the user's jurisdiction and own unit (a head approves
the cases of its own bureau, never those of a unit below it), ordered in SQL, paged, and
displayed with the nearest clock of each row fetched in one query.
"""
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from enforcement.cases.models import Case, case_inspectors
from enforcement.cases.queries import (
    PAGE_SIZE,
    load_in_order,
    nearest_clocks,
    nearest_due,
    open_case,
    running_clock,
    step_action_for,
)
from enforcement.clocks.models import Clock
from enforcement.db import local_today
from enforcement.extensions import db
from workflows.definition import ACTIONS_BY_NAME, BEFORE_DECISION
from workflows.states import CaseState as S

#: an extension is worth deciding when the clock it would extend falls due within these days
EXTEND_VERIFICATION_WITHIN = 5
EXTEND_DECISION_WITHIN = 10


@dataclass(frozen=True)
class Queue:
    code: str
    label: object
    hint: object
    #: the queue is the user's when the user holds any of these
    permissions: tuple[str, ...]
    #: oldest first (a queue of arrivals) or nearest deadline first
    order: str = "deadline"


QUEUES = (
    Queue("assign", _l("待指派"), _l("新登记的举报，最早登记的在前；核查期限自登记起计算"),
          ("case.assign",), order="oldest"),
    Queue("deadlines", _l("我承办的案件"), _l("按最近的期限排列，已超期的在前"),
          ("case.investigate",)),
    Queue("review", _l("待审核"), _l("待法制审核的案件和待作出听证报告的案件"),
          ("case.review",)),
    Queue("approvals", _l("待审批"),
          _l("立案审批、延长期限、恢复调查、处罚决定及公示、移送审批和结案，按最近的期限排列"),
          ("case.approve_filing", "case.decide", "case.approve_transfer", "case.close")),
)
QUEUES_BY_CODE = {q.code: q for q in QUEUES}


def queues_for(user) -> list[Queue]:
    return [q for q in QUEUES if any(user.can(p) for p in q.permissions)]


def _open_clock(kind: str, *conditions):
    return Case.id.in_(select(Clock.case_id).where(Clock.kind == kind, running_clock(),
                                                   *conditions))


def _approvals(user):
    """What waits for the bureau head, limited to the approvals the user may give."""
    today = local_today()
    clauses = []
    if user.can("case.approve_filing"):
        clauses.append(Case.state == S.filing_review)
        # extensions: a verification clock not yet extended, or a decision clock, due soon
        clauses.append((Case.state == S.verifying) & _open_clock(
            "verification", Clock.extensions == 0,
            Clock.due_on <= today + timedelta(days=EXTEND_VERIFICATION_WITHIN)))
        clauses.append(Case.state.in_(BEFORE_DECISION) & _open_clock(
            "decision", Clock.due_on <= today + timedelta(days=EXTEND_DECISION_WITHIN)))
        clauses.append(Case.state == S.suspended)  # resumption, once its ground is gone
    if user.can("case.decide"):
        clauses.append(Case.state == S.decision_review)
        # a penalty decision to publish within its period (Order 45 Art. 9)
        clauses.append((Case.state == S.decided) & _open_clock("publication"))
    if user.can("case.approve_transfer"):
        clauses.append(Case.state.in_((S.referral_review, S.referral_declined)))
    if user.can("case.close"):
        # every obligation met: the system started the closing clock (cases.services)
        clauses.append(Case.state.in_(ACTIONS_BY_NAME["close"].sources)
                       & _open_clock("closing"))
    return or_(*clauses) if clauses else false()


def queue_clause(user, code: str, visible=None):
    """The WHERE clause of one queue for this user (jurisdiction included); ``visible`` is
    the user's ``visible_cases`` clause when the caller already has it."""
    from enforcement.cases.scope import visible_cases

    visible = visible_cases(user) if visible is None else visible
    unit_id = user.unit_id
    own = and_(visible, Case.unit_id == unit_id) if unit_id else false()
    if code == "assign":
        return own & (Case.state == S.registered)
    if code == "deadlines":
        return visible & open_case() & Case.id.in_(
            select(case_inspectors.c.case_id).where(case_inspectors.c.user_id == user.id))
    if code == "review":
        return own & Case.state.in_((S.legal_review, S.hearing))
    if code == "approvals":
        return own & _approvals(user)
    raise KeyError(code)


def queue_counts(user, visible=None) -> dict[str, int]:
    """The size of each of the user's queues (one COUNT per queue)."""
    from enforcement.cases.scope import visible_cases

    visible = visible_cases(user) if visible is None else visible
    return {q.code: db.session.scalar(select(func.count(Case.id))
                                      .where(queue_clause(user, q.code, visible)))
            for q in queues_for(user)}


@dataclass
class QueueRow:
    case: Case
    #: the clock that needs attention first (a clocks.presenters.ClockView), or None
    clock: object | None
    #: what the case waits for from the user: a workflow action, or None
    action: object | None

    @property
    def step(self) -> str | None:
        return self.action.label if self.action else None


#: the action a case in this state waits for, per queue (labels from the definition)
_STEP_BY_STATE = {
    S.registered: "assign", S.filing_review: "approve_filing", S.legal_review: "pass_review",
    S.hearing: "conclude_hearing", S.decision_review: "decide_penalty",
    S.referral_review: "approve_transfer", S.referral_declined: "request_reconsideration",
}


def _step(queue: Queue, case: Case, clock):
    """The action a case of this queue waits for."""
    name = _STEP_BY_STATE.get(case.state)
    if queue.code == "approvals":
        if case.state is S.verifying:
            name = "extend_verification"
        elif case.state is S.suspended:
            name = "resume"
        elif case.state is S.decided and not (clock is not None
                                              and clock.clock.kind == "closing"):
            name = "publish"
        elif case.state in BEFORE_DECISION and case.state is not S.decision_review:
            name = "extend_decision"
        elif case.state in ACTIONS_BY_NAME["close"].sources:
            name = "close"
    return ACTIONS_BY_NAME[name] if name else None


def queue_page(user, code: str, page: int = 1, visible=None) -> list[QueueRow]:
    """One page of a queue (its size: :func:`queue_counts`); a constant number of queries
    whatever the page."""
    queue = QUEUES_BY_CODE[code]
    clause = queue_clause(user, code, visible)
    if queue.order == "oldest":
        order = (Case.created_at.asc(), Case.id.asc())
    else:
        due = nearest_due()
        order = (due.is_(None), due, Case.id)
    ids = db.session.scalars(select(Case.id).where(clause).order_by(*order).limit(PAGE_SIZE)
                             .offset((max(1, page) - 1) * PAGE_SIZE)).all()
    cases = load_in_order(ids, selectinload(Case.unit))
    clocks = nearest_clocks(c.id for c in cases)
    if queue.code == "deadlines":  # the inspector's own next step, as on the dashboard
        from enforcement.clocks.responsibility import next_step_actions

        steps = next_step_actions(user.can)
        rows = [QueueRow(c, clocks.get(c.id),
                         step_action_for(c, steps, clocks.get(c.id), user)) for c in cases]
    else:
        rows = [QueueRow(c, clocks.get(c.id), _step(queue, c, clocks.get(c.id)))
                for c in cases]
    return rows
