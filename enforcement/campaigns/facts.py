"""The statistics' facts kept beside the cases: one :class:`CaseStat` row per case and quarter
in which it counts for something (and one per mark type and goods class of it), so that the
quarterly statistics sum a few narrow rows instead of searching every case, event and clock.

How they stay true:

* **marked in the writing transaction** — a flush that adds or changes what a figure reads
  (a case's dates, amounts, unit or major flag; an event of a counted action; a clock's due
  day or status, or its going overdue; the case's parties, marks or goods) adds a
  :class:`CaseStatPending` row for the case (:func:`_mark_on_flush`). Workflow actions write
  the case and its event with statements of their own; :func:`mark` is called for them.
  Nothing else is computed in the action, so an action costs one insert more, and only when
  it changes a figure.
* **computed by a worker, and before reading** — :func:`refresh_pending` recomputes the
  marked cases (from :func:`enforcement.campaigns.stats.case_facts`, the figures' one
  definition) and removes exactly the marks it read. ``flask stats refresh --loop`` runs it
  every few seconds; the statistics call it first for whatever the worker has not done yet
  (so a figure is never older than the last action), and the clocks sweep calls it too. A case decided after another case of the same party was filed is
  a repeat-infringer question for that other case: those cases are recomputed with it.
* **rebuilt from scratch** — ``flask stats rebuild`` (and :func:`refresh_pending`, when more
  cases are marked than a set-based rebuild costs) computes every quarter for every case.

Refreshers are serialised (a PostgreSQL advisory lock; SQLite has one writer anyway), so two
never insert the same case's rows twice.
"""
import functools
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from enforcement.campaigns.models import CaseStat, CaseStatPending, FactDim
from enforcement.cases.models import Case, CaseEvent, CaseGoods, CaseMark, CaseParty
from enforcement.clocks.models import Clock, ClockEvent, ClockEventKind
from enforcement.extensions import db
from enforcement.marks.models import Trademark

CHINA = ZoneInfo("Asia/Shanghai")
#: cases refreshed per statement (bound parameters: SQLite allows 32,766 per statement)
CHUNK = 500
#: above this many marked cases a full rebuild (one set-based pass per quarter) is cheaper
REBUILD_ABOVE = 20_000
#: the PostgreSQL advisory lock that serialises refreshers ("stat" in ASCII)
LOCK_KEY = 0x73746174
#: the columns of a fact row, in :func:`enforcement.campaigns.stats.case_facts`'s order
MEASURES = ("received", "filed", "major", "closed", "case_value", "penalties", "seized",
            "destroyed", "transferred", "police_filed", "police_declined", "published",
            "overdue", "repeat", "days_total", "days_cases")
#: the case columns the figures read
CASE_COLUMNS = frozenset({"created_at", "filed_at", "closed_at", "decided_at", "is_major",
                          "business_volume", "fine_amount", "confiscation_amount", "unit_id"})


def quarter_index(year: int, quarter: int) -> int:
    return year * 4 + quarter - 1


def _quarter_of(moment) -> int | None:
    """The China-time quarter of a timestamp (UTC) or a day."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        moment = moment.astimezone(CHINA) if moment.tzinfo else \
            moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(CHINA)
    return quarter_index(moment.year, (moment.month - 1) // 3 + 1)


# -- marking -------------------------------------------------------------------------------
def mark(case_id: int) -> None:
    """The case's figures may have changed in this transaction: recompute it before the
    statistics are next read. Once per case and transaction."""
    _mark_in(db.session(), case_id)


#: the actions whose events a figure reads (enforcement.campaigns.stats.EVENT_FIGURES, and
#: the penalty decision for the goods destroyed)
COUNTED_ACTIONS = frozenset({"impose_measure", "approve_transfer", "accept_transfer",
                             "decline_transfer", "publish", "decide_penalty"})


def action_counts(action: str) -> bool:
    """Whether an event of this action is read by a figure (its case must be recomputed)."""
    return action in COUNTED_ACTIONS


def _changed(obj, names) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names
               if name in state.attrs)


def _case_ids_of(session: Session) -> set[int]:
    """The cases whose figures the pending flush changes."""
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Case):
            if obj in session.new or _changed(obj, CASE_COLUMNS):
                ids.add(obj.id)
        elif isinstance(obj, (CaseParty, CaseMark, CaseGoods)):
            ids.add(obj.case_id)
        elif isinstance(obj, CaseEvent):
            if obj in session.new and action_counts(obj.action):
                ids.add(obj.case_id if obj.case_id is not None else
                        getattr(obj.case, "id", None))
        elif isinstance(obj, Clock):
            # a new clock runs; an overdue one counts by its due day and its overdue event
            if obj in session.dirty and _changed(obj, ("due_on", "status")):
                ids.add(obj.case_id)
        elif isinstance(obj, ClockEvent):
            if obj in session.new and obj.kind is ClockEventKind.overdue:
                clock = session.get(Clock, obj.clock_id) if obj.clock_id else obj.clock
                ids.add(clock.case_id if clock is not None else None)
    ids.discard(None)
    return ids


@event.listens_for(Session, "before_flush")
def _mark_on_flush(session, _context, _instances):
    if session.info.get("case_stats_off"):
        return
    new_cases = [obj for obj in session.new if isinstance(obj, Case)]
    for case_id in _case_ids_of(session):
        _mark_in(session, case_id)
    if new_cases:
        # their ids exist only after this flush: marked right after it
        session.info.setdefault("case_stats_new", []).extend(new_cases)


@event.listens_for(Session, "after_flush_postexec")
def _mark_new_cases(session, _context):
    for case in session.info.pop("case_stats_new", []):
        _mark_in(session, case.id)


def _mark_in(session, case_id) -> None:
    marked = session.info.setdefault("case_stats_marked", set())
    if case_id is None or case_id in marked:
        return
    marked.add(case_id)
    session.add(CaseStatPending(case_id=case_id))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_marks(session):
    session.info.pop("case_stats_marked", None)
    session.info.pop("case_stats_new", None)


# -- computing -----------------------------------------------------------------------------
def refresh_pending(*, limit: int | None = None, commit: bool = True) -> int:
    """Recompute the marked cases (the ``limit`` oldest marks, or all); the number of cases
    recomputed. Serialised with other refreshers; commits (the statistics read what it
    wrote)."""
    if db.session.scalar(select(CaseStatPending.id).limit(1)) is None:
        if commit:
            db.session.commit()
        return 0  # nothing marked: no need to wait for another refresher
    _lock()
    query = select(CaseStatPending.id, CaseStatPending.case_id).order_by(CaseStatPending.id)
    rows = db.session.execute(query if limit is None else query.limit(limit)).all()
    if not rows:
        if commit:
            db.session.commit()
        return 0
    ids = sorted({case_id for _id, case_id in rows})
    if len(ids) > REBUILD_ABOVE:
        count = rebuild(commit=False)
    else:
        count = refresh(ids)
    for chunk in _chunks([row_id for row_id, _case in rows]):
        db.session.execute(delete(CaseStatPending).where(CaseStatPending.id.in_(chunk)))
    if commit:
        db.session.commit()
    return count


def refresh(case_ids: Iterable[int]) -> int:
    """Recompute these cases' facts (and of the cases whose repeat-infringer figure they
    decide), in the current transaction."""
    ids = set(case_ids)
    for chunk in _chunks(sorted(ids)):
        ids |= _repeat_dependants(chunk)
    for chunk in _chunks(sorted(ids)):
        db.session.execute(delete(CaseStat).where(CaseStat.case_id.in_(chunk)))
        for quarter in sorted(_quarters_of(chunk)):
            _insert(quarter, chunk)
    return len(ids)


def rebuild(*, commit: bool = True) -> int:
    """Every case's facts afresh, one set-based pass per quarter; the number of fact rows."""
    _lock()
    db.session.execute(delete(CaseStat))
    first = db.session.scalar(select(func.min(Case.created_at)))
    if first is not None:
        latest = [db.session.scalar(select(func.max(column))) for column in (
            Case.created_at, Case.filed_at, Case.closed_at, Case.decided_at, CaseEvent.at,
            Clock.due_on)]
        end = max(_quarter_of(moment) for moment in latest if moment is not None)
        for quarter in range(_quarter_of(first), end + 1):
            _insert(quarter, None)
    db.session.execute(delete(CaseStatPending))
    count = db.session.scalar(select(func.count(CaseStat.id)))
    if commit:
        db.session.commit()
    return count


def _insert(quarter: int, ids) -> None:
    """The fact rows of ``quarter`` for ``ids`` (None: every case): the case rows from the
    figures' definition, then a row per mark type and per goods class copied from them."""
    from enforcement.campaigns import stats

    stats.without_jit()
    params = stats.params(stats.Quarter(quarter // 4, quarter % 4 + 1)) | {"qi": quarter}
    if ids is not None:
        params["ids"] = list(ids)
    for statement in _statements(ids is not None):
        db.session.execute(statement, params)


@functools.cache
def _statements(restricted: bool) -> tuple:
    """The two INSERTs of :func:`_insert`, built once: the quarter and the cases are bound
    at execution (an expanding IN), so that a refresh compiles nothing."""
    from enforcement.campaigns import stats

    ids = bindparam("ids", expanding=True) if restricted else None
    quarter = bindparam("qi", type_=Integer())
    columns = ["case_id", "quarter", "dim", "key", "unit_id", *MEASURES]
    stat = CaseStat.__table__
    facts = stats.case_facts(ids).subquery("facts")
    cases = insert(stat).from_select(columns, select(
        facts.c.case_id, quarter, literal(FactDim.case.value), literal(None, String),
        facts.c.unit_id, *(facts.c[m] for m in MEASURES)))
    case_rows = stat.alias("case_rows")
    restrict = [] if ids is None else [case_rows.c.case_id.in_(ids)]
    copies = []
    for dim, pairs in ((FactDim.mark_type, _mark_types(ids)), (FactDim.goods, _goods(ids))):
        pairs = pairs.subquery(f"{dim.name}_pairs")
        copies.append(
            select(case_rows.c.case_id, case_rows.c.quarter, literal(dim.value), pairs.c.key,
                   case_rows.c.unit_id, *(case_rows.c[m] for m in MEASURES))
            .select_from(case_rows)
            .outerjoin(pairs, pairs.c.case_id == case_rows.c.case_id)
            .where(case_rows.c.quarter == quarter,
                   case_rows.c.dim == FactDim.case.value, *restrict))
    return cases, insert(stat).from_select(columns, union_all(*copies))


def _mark_types(ids):
    """(case, mark type) pairs, of ``ids`` only when given."""
    return (select(CaseMark.case_id, cast(Trademark.mark_type, String).label("key"))
            .join(Trademark, Trademark.id == CaseMark.trademark_id)
            .where(*([] if ids is None else [CaseMark.case_id.in_(ids)])).distinct())


def _goods(ids):
    """(case, Nice class) pairs, of ``ids`` only when given."""
    return (select(CaseGoods.case_id, cast(CaseGoods.nice_class, String).label("key"))
            .where(*([] if ids is None else [CaseGoods.case_id.in_(ids)])).distinct())


def _quarters_of(ids: list[int]) -> set[int]:
    """Every quarter in which something the figures count happened to these cases."""
    moments = set()
    for row in db.session.execute(select(Case.created_at, Case.filed_at, Case.closed_at,
                                         Case.decided_at).where(Case.id.in_(ids))):
        moments.update(row)
    moments.update(db.session.scalars(select(CaseEvent.at).where(
        CaseEvent.case_id.in_(ids), CaseEvent.action.in_(sorted(COUNTED_ACTIONS)))))
    moments.update(db.session.scalars(select(Clock.due_on).where(Clock.case_id.in_(ids))))
    return {_quarter_of(m) for m in moments if m is not None}


def _repeat_dependants(ids: list[int]) -> set[int]:
    """Cases sharing a party with one of ``ids`` and filed after its decision: whether they
    are repeat infringements depends on it."""
    mine, other = CaseParty.__table__.alias("mine"), CaseParty.__table__.alias("other")
    decided, later = Case.__table__.alias("decided"), Case.__table__.alias("later")
    return set(db.session.scalars(
        select(other.c.case_id).select_from(mine)
        .join(decided, decided.c.id == mine.c.case_id)
        .join(other, and_(other.c.party_id == mine.c.party_id,
                          other.c.case_id != mine.c.case_id))
        .join(later, later.c.id == other.c.case_id)
        .where(mine.c.case_id.in_(ids), decided.c.decided_at.is_not(None),
               later.c.filed_at > decided.c.decided_at)
        .distinct()))


def _lock() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]
