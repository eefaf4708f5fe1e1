"""Read-side listings of cases, always inside the user's jurisdiction."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from enforcement.cases.models import Case, CaseParty, case_inspectors
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.parties.models import Party
from workflows.states import END_STATES, STAGES, CaseState, Stage

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
    overdue = db.session.scalar(
        select(func.count(func.distinct(Clock.case_id)))
        .join(Case, Case.id == Clock.case_id)
        .where(visible_cases(user), Clock.status == ClockStatus.running,
               Clock.due_on < local_today()))
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
