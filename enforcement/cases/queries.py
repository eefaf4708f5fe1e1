"""Read-side listings of cases, always inside the user's jurisdiction."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case as case_when
from sqlalchemy import func, or_, select

from enforcement.cases.models import Case, CaseParty, case_inspectors
from enforcement.clocks.kinds import CLOCK_KINDS, DEADLINE
from enforcement.clocks.models import OPEN_STATUSES, Clock, ClockStatus
from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.parties.models import Party
from workflows.states import END_STATES, STAGES, CaseState, Stage

#: clocks someone must meet; the others are windows that simply run out
DEADLINE_KINDS = [k.code for k in CLOCK_KINDS.values() if k.role == DEADLINE]

#: sort keys a list may be ordered by (an allowlist: nothing else reaches ORDER BY)
SORTS = {
    "updated": Case.updated_at.desc(),
    "created": Case.created_at.desc(),
    "number": Case.report_no.asc(),
    "state": Case.state.asc(),
}
PAGE_SIZE = 25


@dataclass
class CaseFilters:
    q: str = ""
    state: str = ""
    stage: str = ""
    sort: str = "updated"
    mine: bool = False
    page: int = 1


def case_query(user, filters: CaseFilters):
    from enforcement.cases.scope import visible_cases

    query = select(Case).where(visible_cases(user))
    if filters.state in CaseState._value2member_map_:
        query = query.where(Case.state == CaseState(filters.state))
    if filters.stage in Stage._value2member_map_:
        stage = Stage(filters.stage)
        query = query.where(Case.state.in_([s for s, st in STAGES.items() if st is stage]))
    if filters.mine:
        query = query.where(Case.id.in_(select(case_inspectors.c.case_id)
                                        .where(case_inspectors.c.user_id == user.id)))
    if filters.q:
        like = f"%{filters.q.strip()}%"
        party_match = select(CaseParty.case_id).join(Party).where(Party.name.like(like))
        query = query.where(or_(Case.report_no.like(like), Case.case_no.like(like),
                                Case.cause.like(like), Case.id.in_(party_match)))
    return query


def list_cases(user, filters: CaseFilters):
    """One page of cases and the total count."""
    query = case_query(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = SORTS.get(filters.sort, SORTS["updated"])
    page = max(1, filters.page)
    rows = db.session.scalars(query.order_by(order, Case.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


def dashboard(user) -> dict:
    from enforcement.cases.scope import visible_cases

    by_state = dict(db.session.execute(
        select(Case.state, func.count()).where(visible_cases(user)).group_by(Case.state)).all())
    # deadlines only: a party's window that ran out is not overdue (clocks.kinds.WINDOW)
    overdue = db.session.scalar(
        select(func.count(func.distinct(Clock.case_id)))
        .join(Case, Case.id == Clock.case_id)
        .where(visible_cases(user), Clock.status.in_((ClockStatus.running, ClockStatus.overdue)),
               Clock.kind.in_(DEADLINE_KINDS), Clock.due_on < local_today()))
    mine = db.session.scalars(
        select(Case).where(visible_cases(user), Case.state.not_in(END_STATES),
                           Case.id.in_(select(case_inspectors.c.case_id)
                                       .where(case_inspectors.c.user_id == user.id)))
        .order_by(Case.updated_at.desc()).limit(10)).all()
    return {
        "by_state": [(state, by_state.get(state, 0)) for state in CaseState],
        "total": sum(by_state.values()),
        "open": sum(n for s, n in by_state.items() if s not in END_STATES),
        "overdue": overdue,
        "mine": mine,
    }


# -- work lists by deadline (DESIGN §3) ---------------------------------------------------------
@dataclass
class Task:
    """A case waiting for the user, with the clock that falls due first."""

    case: Case
    clock: object | None  # a clocks.presenters.ClockView
    #: the user is one of its inspectors (承办)
    assigned: bool
    #: what it waits for from the user: an action label (a message id)
    step: str | None

    @property
    def sort_key(self):
        if self.clock is None:
            return (9, date.max, self.case.id)
        return self.clock.urgency_key[:2] + (self.case.id,)


def _side_scopes(user) -> dict:
    """Per side the user acts for: the cases of that side in the user's unit."""
    from enforcement.referrals.models import Referral, ReferralKind
    from workflows.spec import Side

    unit = user.unit
    if unit is None:
        return {}
    referred = {kind: Case.id.in_(select(Referral.case_id).where(Referral.kind == kind,
                                                                   Referral.unit_id == unit.id))
                for kind in ReferralKind}
    return {Side.bureau: Case.unit_id == unit.id, Side.police: referred[ReferralKind.police],
            Side.court: referred[ReferralKind.court]}


def _waiting_for(user):
    """WHERE clauses: cases waiting for a step the user may take — a forward step of their
    state, or the step that meets one of their open deadlines and may be taken now."""
    from enforcement.clocks.responsibility import meeting_actions, next_step_actions

    clauses, scopes = [], _side_scopes(user)

    def add(actor, states, code=None):
        if (actor.side not in scopes or not user.can(actor.permission)
                or actor.permission == "case.investigate"):  # inspectors: their own cases
            return
        clause = scopes[actor.side] & Case.state.in_(actor.states or states)
        if code is not None:
            clause &= Case.id.in_(select(Clock.case_id).where(
                Clock.kind == code, Clock.status.in_(OPEN_STATUSES)))
        clauses.append(clause)

    for action in next_step_actions(user.can):
        for actor in action.actors:
            add(actor, action.sources)
    for code in DEADLINE_KINDS:  # a window that runs out is nobody's task
        for action in meeting_actions(code):
            if action.tone == "primary":  # not the alternatives (退回, 不予立案, 移送管辖)
                for actor in action.actors:
                    add(actor, action.sources, code)
    return clauses


def work_list(user, limit: int = 30) -> list[Task]:
    """The user's tasks, what falls due first on top: cases assigned to the user, and cases
    whose next step or running clock needs a permission the user holds."""
    from enforcement.cases.scope import visible_cases
    from enforcement.clocks import holidays
    from enforcement.clocks.presenters import clock_view
    from enforcement.clocks.responsibility import next_step_actions

    assigned = Case.id.in_(select(case_inspectors.c.case_id)
                           .where(case_inspectors.c.user_id == user.id))
    cases = db.session.scalars(select(Case).where(
        visible_cases(user), Case.state.not_in(END_STATES),
        or_(assigned, *_waiting_for(user))).limit(500)).all()
    if not cases:
        return []
    today, cal = local_today(), holidays.current()
    nearest: dict[int, object] = {}
    for clock in db.session.scalars(select(Clock).where(
            Clock.case_id.in_([c.id for c in cases]), Clock.status.in_(OPEN_STATUSES),
            Clock.kind.in_(DEADLINE_KINDS))):
        view = clock_view(clock, today, cal)
        current = nearest.get(clock.case_id)
        if current is None or view.urgency_key < current.urgency_key:
            nearest[clock.case_id] = view
    steps = next_step_actions(user.can)
    tasks = [Task(c, nearest.get(c.id), user in c.inspectors,
                  _step(c, steps, nearest.get(c.id), user)) for c in cases]
    return sorted(tasks, key=lambda t: t.sort_key)[:limit]


def _step(case, steps, clock, user):
    """What the case waits for from the user: the action that meets its nearest clock, else
    the next step of its state."""
    from enforcement.clocks.responsibility import meeting_actions

    candidates = (meeting_actions(clock.clock.kind) if clock else []) + steps
    return next((a.label for a in candidates if case.state in a.sources
                 and any(user.can(p) for p in a.permissions)), None)


@dataclass
class UnitDeadlines:
    unit: object
    open_cases: int = 0
    overdue: int = 0
    due_soon: int = 0
    unknown: int = 0


def unit_deadlines(user) -> list[UnitDeadlines]:
    """Per unit the user oversees (a head: its unit and those below; the city supervisor: all
    bureaus): open cases, and deadlines overdue, due within 3 days, or without a due date."""
    from enforcement.cases.scope import visible_cases
    from enforcement.clocks.presenters import DUE_SOON_DAYS
    from enforcement.orgs.models import OrgUnit

    today = local_today()
    open_clock = (Clock.status.in_(OPEN_STATUSES)) & Clock.kind.in_(DEADLINE_KINDS) & (
        Clock.status != ClockStatus.paused)
    rows = db.session.execute(
        select(Case.unit_id,
               func.count(func.distinct(Case.id)),
               _count_where(open_clock & (Clock.due_on < today)),
               _count_where(open_clock & Clock.due_on.between(
                   today, today + timedelta(days=DUE_SOON_DAYS))),
               _count_where(open_clock & Clock.due_on.is_(None)))
        .outerjoin(Clock, Clock.case_id == Case.id)
        .where(visible_cases(user), Case.state.not_in(END_STATES))
        .group_by(Case.unit_id)).all()
    units = {u.id: u for u in db.session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_([r[0] for r in rows])))}
    result = [UnitDeadlines(units[r[0]], *r[1:]) for r in rows]
    return sorted(result, key=lambda u: (-u.overdue, -u.due_soon, u.unit.id))


def _count_where(condition):
    return func.count(func.distinct(case_when((condition, Clock.id))))


def overdue_clocks(user, limit: int = 50) -> list[tuple[Case, Clock]]:
    """Open deadlines past their due date in the user's view, the longest overdue first."""
    from enforcement.cases.scope import visible_cases

    return db.session.execute(
        select(Case, Clock).join(Clock, Clock.case_id == Case.id)
        .where(visible_cases(user), Clock.status.in_(OPEN_STATUSES),
               Clock.status != ClockStatus.paused, Clock.kind.in_(DEADLINE_KINDS),
               Clock.due_on < local_today())
        .order_by(Clock.due_on, Clock.id).limit(limit)).all()
