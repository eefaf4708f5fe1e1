"""Read-side listings of cases, always inside the user's jurisdiction."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Index, bindparam, func, or_, select, union
from sqlalchemy import case as case_when
from sqlalchemy.orm import selectinload

from enforcement.cases.models import Case, CaseMark, CaseParty, case_inspectors
from enforcement.clocks.kinds import CLOCK_KINDS, DEADLINE
from enforcement.clocks.models import OPEN_STATUSES, Clock, ClockStatus
from enforcement.db import local_day_end, local_day_start, local_today
from enforcement.extensions import db
from enforcement.parties.models import Party
from enforcement.query_args import bounded_int
from workflows.states import END_STATES, STAGES, CaseState, Stage

#: clocks someone must meet; the others are windows that simply run out
DEADLINE_KINDS = [k.code for k in CLOCK_KINDS.values() if k.role == DEADLINE]

_END_VALUES = sorted(s.value for s in END_STATES)
_RUNNING_VALUES = [ClockStatus.running.value, ClockStatus.overdue.value]


def open_case():
    """Cases still being handled. The values are written into the SQL (not bound) so that
    both databases can match the partial index below, whose predicate is the same."""
    return Case.state.not_in(bindparam("end_states", _END_VALUES, expanding=True,
                                       literal_execute=True))


def running_clock():
    """Clocks that run (not paused): literal values, matching ``ix_clocks_running``."""
    return Clock.status.in_(bindparam("running_statuses", _RUNNING_VALUES, expanding=True,
                                      literal_execute=True))


#: the indexes the search page and the work lists rely on, declared next to the queries they
#: serve (migration a8e0a4000006 creates them on SQLite and PostgreSQL). The partial ones hold
#: only open cases and running clocks, small enough to be read without touching the rows.
SEARCH_INDEXES = (
    Index("ix_cases_open_unit", Case.unit_id, Case.id,
          postgresql_where=Case.state.not_in(_END_VALUES),
          sqlite_where=Case.state.not_in(_END_VALUES)),
    Index("ix_cases_unit_updated", Case.unit_id, Case.updated_at),
    Index("ix_cases_unit_created", Case.unit_id, Case.created_at),
    Index("ix_cases_updated_at", Case.updated_at),
    Index("ix_cases_created_at", Case.created_at),
    Index("ix_case_inspectors_user", case_inspectors.c.user_id, case_inspectors.c.case_id),
    Index("ix_case_marks_reg_no", CaseMark.reg_no),
    Index("ix_case_marks_name", CaseMark.name),
    # words inside a name or number (LIKE '%…%'): trigram GIN indexes on PostgreSQL (the
    # pg_trgm extension); SQLite builds plain ones, which its LIKE cannot use
    *(Index(f"ix_{column.table.name}_{column.name}_trgm", column, postgresql_using="gin",
            postgresql_ops={column.name: "gin_trgm_ops"})
      for column in (Case.report_no, Case.case_no, Case.cause, Party.name)),
    Index("ix_clocks_running", Clock.case_id, Clock.kind, Clock.due_on, Clock.estimated_due_on,
          postgresql_where=Clock.status.in_(_RUNNING_VALUES),
          sqlite_where=Clock.status.in_(_RUNNING_VALUES)),
)

#: sort keys a list may be ordered by (an allowlist: nothing else reaches ORDER BY)
SORTS = {
    "updated": Case.updated_at.desc(),
    "created": Case.created_at.desc(),
    "oldest": Case.created_at.asc(),
    "number": Case.report_no.asc(),
    "state": Case.state.asc(),
}
PAGE_SIZE = 25


@dataclass
class CaseFilters:
    """The search form: every field optional, all of them combined with AND."""

    q: str = ""
    state: str = ""
    stage: str = ""
    sort: str = "updated"
    mine: bool = False
    page: int = 1
    #: 登记编号 or 立案编号, or part of one
    number: str = ""
    #: part of a party's name
    party: str = ""
    #: a party's 统一社会信用代码 or ID number, exactly
    credit_code: str = ""
    #: a mark's name (part of it) or its registration number (exactly)
    mark: str = ""
    #: a unit id; only units of the user's subtree narrow anything (jurisdiction still applies)
    unit: int | None = None
    #: registration day, China time, both inclusive
    date_from: date | None = None
    date_to: date | None = None
    #: an inspector's user id
    inspector: int | None = None

    @property
    def is_search(self) -> bool:
        return any((self.q, self.state, self.stage, self.mine, self.number, self.party,
                    self.credit_code, self.mark, self.unit, self.date_from, self.date_to,
                    self.inspector))


def _int_arg(args, name):
    try:
        return bounded_int(args[name]) if args.get(name) else None
    except ValueError:
        return None


def _date_arg(args, name):
    try:
        return date.fromisoformat(args[name]) if args.get(name) else None
    except ValueError:
        return None


def filters_from_args(args) -> CaseFilters:
    """The search form's fields; anything malformed is ignored, never an error page."""
    return CaseFilters(
        q=args.get("q", "")[:100], state=args.get("state", ""), stage=args.get("stage", ""),
        sort=args.get("sort", "updated"), mine=args.get("mine") == "1",
        page=max(1, _int_arg(args, "page") or 1), number=args.get("number", "")[:40],
        party=args.get("party", "")[:120], credit_code=args.get("credit_code", "")[:18],
        mark=args.get("mark", "")[:80], unit=_int_arg(args, "unit"),
        date_from=_date_arg(args, "date_from"), date_to=_date_arg(args, "date_to"),
        inspector=_int_arg(args, "inspector"))


def _like(text: str) -> str:
    # the user's text is matched literally: %, _ and \ lose their wildcard meaning
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def case_query(user, filters: CaseFilters):
    """The ids of the cases the filters match, inside the user's jurisdiction."""
    from enforcement.cases.scope import visible_cases

    query = select(Case.id).where(visible_cases(user))
    if filters.state in CaseState._value2member_map_:
        query = query.where(Case.state == CaseState(filters.state))
    if filters.stage in Stage._value2member_map_:
        stage = Stage(filters.stage)
        query = query.where(Case.state.in_([s for s, st in STAGES.items() if st is stage]))
    if filters.mine:
        query = query.where(Case.id.in_(select(case_inspectors.c.case_id)
                                        .where(case_inspectors.c.user_id == user.id)))
    if filters.q:
        like = _like(filters.q)
        query = query.where(Case.id.in_(union(
            *_containing(like, Case.report_no, Case.case_no, Case.cause),
            select(CaseParty.case_id).join(Party).where(Party.name.like(like, escape="\\")),
            _by_tracking_no(filters.q))))
    return _narrow(query, filters)


def _by_tracking_no(text: str):
    """The case a portal report's tracking number (登记编号 on the reporter's receipt) is
    registered in: reporters phone in with that number, not the case's own."""
    from enforcement.reports.models import Report

    return select(Report.case_id).where(Report.tracking_no == text.strip().upper(),
                                        Report.case_id.is_not(None))


def _containing(like: str, *columns):
    # one SELECT per column, united: each can use its own trigram index, where an OR of
    # LIKEs would read the whole table
    return [select(Case.id).where(column.like(like, escape="\\")) for column in columns]


def _narrow(query, filters: CaseFilters):
    """The search form's specific fields."""
    if filters.number:
        query = query.where(Case.id.in_(union(
            *_containing(_like(filters.number), Case.report_no, Case.case_no),
            _by_tracking_no(filters.number))))
    if filters.party:
        query = query.where(Case.id.in_(
            select(CaseParty.case_id).join(Party)
            .where(Party.name.like(_like(filters.party), escape="\\"))))
    if filters.credit_code:
        code = filters.credit_code.strip().upper()
        query = query.where(Case.id.in_(
            select(CaseParty.case_id).join(Party)
            .where(or_(Party.credit_code == code, Party.id_number == code))))
    if filters.mark:
        mark = filters.mark.strip()
        query = query.where(Case.id.in_(select(CaseMark.case_id).where(or_(
            CaseMark.reg_no == mark, CaseMark.name.like(_like(mark), escape="\\")))))
    if filters.unit is not None:
        query = query.where(Case.unit_id == filters.unit)
    if filters.date_from is not None:
        query = query.where(Case.created_at >= local_day_start(filters.date_from))
    if filters.date_to is not None:
        query = query.where(Case.created_at < local_day_end(filters.date_to))
    if filters.inspector is not None:
        query = query.where(Case.id.in_(select(case_inspectors.c.case_id)
                                        .where(case_inspectors.c.user_id == filters.inspector)))
    return query


def list_cases(user, filters: CaseFilters):
    """One page of cases and the total count."""
    query = case_query(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = SORTS.get(filters.sort, SORTS["updated"])
    page = max(1, filters.page)
    ids = db.session.scalars(query.order_by(order, Case.id.desc())
                             .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return load_in_order(ids, selectinload(Case.unit)), total


def load_in_order(ids, *options) -> list[Case]:
    """The cases of ``ids`` in that order: a page is chosen on ids alone (indexes only), and
    only its rows are read in full."""
    if not ids:
        return []
    rows = {c.id: c for c in db.session.scalars(
        select(Case).where(Case.id.in_(list(ids))).options(*options))}
    return [rows[i] for i in ids if i in rows]


def dashboard(user) -> dict:
    from enforcement.cases.scope import visible_cases

    by_state = dict(db.session.execute(
        select(Case.state, func.count()).where(visible_cases(user)).group_by(Case.state)).all())
    # deadlines only: a party's window that ran out is not overdue (clocks.kinds.WINDOW)
    overdue = db.session.scalar(
        select(func.count(func.distinct(Clock.case_id)))
        .join(Case, Case.id == Clock.case_id)
        .where(visible_cases(user), open_case(), running_clock(),
               Clock.kind.in_(DEADLINE_KINDS), Clock.due_on < local_today()))
    mine = load_in_order(db.session.scalars(
        select(Case.id).where(visible_cases(user), open_case(),
                              Case.id.in_(select(case_inspectors.c.case_id)
                                          .where(case_inspectors.c.user_id == user.id)))
        .order_by(Case.updated_at.desc()).limit(10)).all())
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
    from enforcement.clocks.responsibility import next_step_actions

    assigned = Case.id.in_(select(case_inspectors.c.case_id)
                           .where(case_inspectors.c.user_id == user.id))
    # the nearest deadline orders the rows in SQL, so that the limit keeps the most urgent
    due = nearest_due()
    ids = db.session.scalars(
        select(Case.id).where(visible_cases(user), open_case(),
                              or_(assigned, *_waiting_for(user)))
        .order_by(due.is_(None), due, Case.id).limit(limit * 2)).all()
    cases = load_in_order(ids, selectinload(Case.inspectors))
    if not cases:
        return []
    nearest = nearest_clocks(c.id for c in cases)
    steps = next_step_actions(user.can)
    tasks = [Task(c, nearest.get(c.id), user in c.inspectors,
                  step_for(c, steps, nearest.get(c.id), user)) for c in cases]
    return sorted(tasks, key=lambda t: t.sort_key)[:limit]


def nearest_due():
    """The day the case's nearest running deadline falls due (an estimate when the calendar
    lacks the year), as a correlated subquery; NULL when no deadline runs."""
    return (select(func.min(func.coalesce(Clock.due_on, Clock.estimated_due_on)))
            .where(Clock.case_id == Case.id, running_clock(), Clock.kind.in_(DEADLINE_KINDS))
            .correlate(Case).scalar_subquery())


def nearest_clocks(case_ids) -> dict:
    """Per case, the view of its open deadline that needs attention first (one query)."""
    from enforcement.clocks import holidays
    from enforcement.clocks.presenters import clock_view

    if not case_ids:
        return {}
    today, cal = local_today(), holidays.current()
    nearest: dict[int, object] = {}
    # a clock's view reads its history (pauses, extensions): loaded with it, not per row
    for clock in db.session.scalars(select(Clock).options(selectinload(Clock.events)).where(
            Clock.case_id.in_(list(case_ids)), Clock.status.in_(OPEN_STATUSES),
            Clock.kind.in_(DEADLINE_KINDS))):
        view = clock_view(clock, today, cal)
        current = nearest.get(clock.case_id)
        if current is None or view.urgency_key < current.urgency_key:
            nearest[clock.case_id] = view
    return nearest


def step_for(case, steps, clock, user):
    """What the case waits for from the user: the action that meets its nearest clock, else
    the next step of its state."""
    action = step_action_for(case, steps, clock, user)
    return action.label if action else None


def step_action_for(case, steps, clock, user):
    """The action of :func:`step_for`, or None."""
    from enforcement.clocks.responsibility import meeting_actions

    candidates = (meeting_actions(clock.clock.kind) if clock else []) + steps
    return next((a for a in candidates if case.state in a.sources
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


def search_choices(user) -> tuple[list, list]:
    """The units and inspectors the search form offers: those of the user's jurisdiction."""
    from enforcement.auth.models import User, role_permissions, user_roles
    from enforcement.orgs.models import OrgUnit, UnitKind, subtree_ids

    if user.can("case.read_all"):
        unit_clause = OrgUnit.kind == UnitKind.bureau
    elif user.can("case.read") and user.unit_id is not None:
        unit_clause = OrgUnit.id.in_(subtree_ids(user.unit_id)) & (OrgUnit.kind == UnitKind.bureau)
    else:
        return [], []
    units = db.session.scalars(select(OrgUnit).where(unit_clause).order_by(OrgUnit.id)).all()
    investigators = select(user_roles.c.user_id).join(
        role_permissions, role_permissions.c.role_code == user_roles.c.role_code).where(
        role_permissions.c.permission_code == "case.investigate")
    inspectors = db.session.scalars(
        select(User).where(User.unit_id.in_([u.id for u in units]), User.id.in_(investigators))
        .order_by(User.unit_id, User.id)).all()
    return units, inspectors


#: permissions that open the case file; an account with none of them (a rights holder, an agent,
#: a station) follows its reports in the portal, never through the bureau's case pages
CASE_FILE_READERS = ("case.read", "referral.read", "court.read")


def reads_case_file(user) -> bool:
    return any(user.can(p) for p in CASE_FILE_READERS)
