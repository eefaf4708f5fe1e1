"""Starting, pausing, resuming, extending and stopping clocks as actions prescribe.

Every change is recorded as a :class:`ClockEvent` with its reason, legal basis, who and when,
and the due date is always recomputed from the start, the length, the extensions and the
pauses — never nudged — so that a holiday notice entered later moves it correctly. Helpers
here only flush; the action (or the sweep, or the holiday admin) owns the transaction.
"""
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from enforcement.clocks import holidays
from enforcement.clocks.calendar import (
    N_,
    CalendarUnknown,
    WorkCalendar,
    explain,
    latest_day_before,
)
from enforcement.clocks.kinds import CLOCK_KINDS, DEADLINE
from enforcement.clocks.models import (
    OPEN_STATUSES,
    Clock,
    ClockEvent,
    ClockEventKind,
    ClockStatus,
)
from enforcement.db import local_today, utcnow
from enforcement.extensions import db
from workflows.definition import ACTIONS_BY_NAME
from workflows.states import END_STATES

CHINA = ZoneInfo("Asia/Shanghai")
OPEN = OPEN_STATUSES  # the name this module has always given them

#: clocks of which a case may have several running at once (one per 查封/扣押 decision)
CONCURRENT = frozenset({"seizure"})

#: clocks that run only for some cases
APPLIES = {
    # only a named reporter is told of the filing decision (投诉举报办法 Art. 31)
    "inform_reporter": lambda case: case.reporter_is_named,
}


@dataclass(frozen=True)
class Cause:
    """Why a clock changed: the action (its event and actor) or the system, and on what basis."""

    reason: str = ""
    legal_basis: str = ""
    actor_id: int | None = None
    case_event_id: int | None = None
    data: dict | None = None


def cause_of(case) -> Cause:
    """The cause of changes made while an action runs: its case event, the case's latest
    (``cases.services`` adds it before the clocks run)."""
    return cause_from(case.events[-1] if case.events else None)


def cause_from(event) -> Cause:
    """The cause of changes made by this case event (the action being taken)."""
    if event is None:
        return Cause()
    action = ACTIONS_BY_NAME.get(event.action)
    data = event.data or {}
    reason = data.get("reason") or (action.label if action else event.action)
    basis = data.get("legal_basis") or (action.basis if action else "")
    return Cause(reason=str(reason), legal_basis=str(basis), actor_id=event.actor_id,
                 case_event_id=event.id, data=data)


#: session key of the open clocks of the case an action is changing (see :func:`apply`)
_OPEN_KEY = "enforcement.clocks.open"


def open_clock(case, code: str) -> Clock | None:
    loaded = db.session.info.get(_OPEN_KEY)
    if loaded is not None and loaded[0] == case.id:
        return next((clock for clock in reversed(loaded[1])
                     if clock.kind == code and clock.status in OPEN), None)
    return db.session.scalar(
        select(Clock).where(Clock.case_id == case.id, Clock.kind == code,
                            Clock.status.in_(OPEN)).order_by(Clock.id.desc()))


def _record(clock: Clock, kind: ClockEventKind, cause: Cause, *, on: date | None = None,
            due_before: date | None = None) -> ClockEvent:
    event = ClockEvent(kind=kind, effective_on=on or local_today(), reason=cause.reason[:2000],
                       legal_basis=cause.legal_basis[:300], actor_id=cause.actor_id,
                       case_event_id=cause.case_event_id, due_before=due_before,
                       due_after=clock.due_on)
    clock.events.append(event)
    return event


# -- computing the due date -------------------------------------------------------------------
def pauses_of(clock: Clock) -> list[tuple[date, date]]:
    """The pauses that have ended, as (first day, last day) from the clock's events."""
    spans, begun = [], None
    for event in clock.events:
        if event.kind is ClockEventKind.pause:
            begun = event.effective_on
        elif event.kind is ClockEventKind.resume and begun is not None:
            spans.append((begun, event.effective_on))
            begun = None
    return spans


def _explain(clock: Clock, cal: WorkCalendar):
    if clock.anchor_on is not None:
        day = latest_day_before(clock.anchor_on, clock.length + clock.extended, cal)
        return day, None
    start = clock.started_at.astimezone(CHINA) if clock.unit == "hours" else clock.started_on
    due = explain(start, clock.length + clock.extended, clock.unit, cal, pauses_of(clock))
    return due.day, due.moment


def compute(clock: Clock, cal: WorkCalendar | None = None) -> None:
    """Set the due date from the start, length, extensions and pauses; when a year it needs
    has no holiday data, leave it unknown and keep a Monday–Friday estimate beside it."""
    cal = cal or holidays.current()
    try:
        clock.due_on, clock.due_at = _explain(clock, cal)
        clock.unknown_year = clock.estimated_due_on = None
    except CalendarUnknown as exc:
        clock.due_on = clock.due_at = None
        clock.unknown_year = exc.year
        clock.estimated_due_on = _explain(clock, cal.estimating())[0]


# -- what actions do --------------------------------------------------------------------------
def start(case, code: str, on: date | None = None, *, cause: Cause | None = None,
          length: int | None = None, anchor: date | None = None,
          cal: WorkCalendar | None = None) -> Clock | None:
    """Start a clock of ``code`` on ``on`` (today by default); a clock of the same kind still
    open is cancelled, except where a case may have several (seizures)."""
    if not APPLIES.get(code, lambda case: True)(case):
        return None
    cause = cause or cause_of(case)
    kind = CLOCK_KINDS[code]
    on = on or local_today()
    existing = open_clock(case, code)
    if existing is not None and code not in CONCURRENT:
        _close(existing, ClockStatus.cancelled, ClockEventKind.cancel, cause)
    base, unit = _length(case, code, on, length)
    clock = Clock(case_id=case.id, kind=code, status=ClockStatus.running, started_on=on,
                  started_at=utcnow(), length=base, unit=unit, extended=0, anchor_on=anchor,
                  basis=str(kind.basis)[:120], extensions=0)
    compute(clock, cal)
    db.session.add(clock)
    loaded = db.session.info.get(_OPEN_KEY)
    if loaded is not None and loaded[0] == case.id:
        loaded[1].append(clock)
    _record(clock, ClockEventKind.start, cause, on=on)
    return clock


def _length(case, code: str, on: date, length: int | None) -> tuple[int, str]:
    """The period in force for this clock: given, from rule data, or the kinds table."""
    from enforcement.rules import services as rules

    kind = CLOCK_KINDS[code]
    if length is not None:
        return length, kind.unit
    if code == "publication_period":
        from enforcement.rules.assessment import publication_period_months

        return publication_period_months(case, on), "months"
    found = rules.clock_length(code, on)
    return found or (kind.length, kind.unit)


def _close(clock: Clock, status: ClockStatus, kind: ClockEventKind, cause: Cause) -> None:
    clock.status, clock.stopped_at, clock.paused_at = status, utcnow(), None
    _record(clock, kind, cause, due_before=clock.due_on)


def stop(case, code: str, *, cause: Cause | None = None) -> Clock | None:
    clock = open_clock(case, code)
    if clock is not None:
        _close(clock, ClockStatus.met, ClockEventKind.stop, cause or cause_of(case))
    return clock


def cancel(case, code: str, *, cause: Cause | None = None) -> Clock | None:
    clock = open_clock(case, code)
    if clock is not None:
        _close(clock, ClockStatus.cancelled, ClockEventKind.cancel, cause or cause_of(case))
    return clock


def pause(case, code: str, *, cause: Cause | None = None) -> Clock | None:
    clock = open_clock(case, code)
    if clock is not None and clock.status is not ClockStatus.paused:
        clock.status, clock.paused_at = ClockStatus.paused, utcnow()
        _record(clock, ClockEventKind.pause, cause or cause_of(case), due_before=clock.due_on)
    return clock


def resume(case, code: str, *, cause: Cause | None = None,
           cal: WorkCalendar | None = None) -> Clock | None:
    """End a pause: the days after it began up to today are not counted (see calendar)."""
    clock = open_clock(case, code)
    if clock is None or clock.status is not ClockStatus.paused:
        return None
    before = clock.due_on
    clock.status, clock.paused_at = ClockStatus.running, None
    event = _record(clock, ClockEventKind.resume, cause or cause_of(case), due_before=before)
    compute(clock, cal)
    event.due_after = clock.due_on
    return clock


def extend(case, code: str, *, cause: Cause | None = None, by: int | None = None,
           cal: WorkCalendar | None = None) -> Clock | None:
    """Lengthen the period by one extension (or ``by``, as a collective decision fixed it);
    the rest-day rule then applies to the last day of the whole period (民法典 Art. 203)."""
    clock = open_clock(case, code)
    if clock is None:
        return None
    before = clock.due_on
    clock.extended += by if by else CLOCK_KINDS[code].extension
    clock.extensions += 1
    compute(clock, cal)
    if clock.status is ClockStatus.overdue and not is_past_due(clock, local_today()):
        clock.status = ClockStatus.running
    _record(clock, ClockEventKind.extend, cause or cause_of(case), due_before=before)
    return clock


def is_past_due(clock: Clock, today: date, now=None) -> bool:
    if clock.due_at is not None:
        return (now or utcnow()) > clock.due_at
    return clock.due_on is not None and today > clock.due_on


def apply(case, effects, on: date | None = None, *, cause: Cause | None = None) -> None:
    """Carry out a :class:`workflows.spec.Clocks` declaration for the action being taken.

    ``cause`` is the action's (``cause_of(case)`` when not given). The calendar is read only
    when a due date is computed; an action that touches no clock reads nothing."""
    if not (effects.stop or effects.pause or effects.resume or effects.extend
            or effects.cancel or effects.start or case.state in END_STATES):
        return
    cause = cause or cause_of(case)
    cal = None  # holidays.current() when a due date is computed (kept for the transaction)
    by = (cause.data or {}).get("extension_days")
    # the case's open clocks in one query, in id order; start() appends the ones it starts
    db.session.info[_OPEN_KEY] = (case.id, list(db.session.scalars(
        select(Clock).where(Clock.case_id == case.id, Clock.status.in_(OPEN))
        .order_by(Clock.id))))
    try:
        _apply(case, effects, on, cause, cal, by)
    finally:
        db.session.info.pop(_OPEN_KEY, None)
    db.session.flush()


def _apply(case, effects, on, cause, cal, by) -> None:
    for code in effects.stop:
        stop(case, code, cause=cause)
    for code in effects.pause:
        pause(case, code, cause=cause)
    for code in effects.resume:
        resume(case, code, cause=cause, cal=cal)
    for code in effects.extend:
        extend(case, code, cause=cause, by=int(by) if by else None, cal=cal)
    for code in effects.cancel:
        cancel(case, code, cause=cause)
    for code in effects.start:
        start(case, code, on, cause=cause, cal=cal, anchor=_anchor(code, cause))
    if case.state in END_STATES:
        _end(case, cause, keep=effects.start)


def _end(case, cause: Cause, keep=()) -> None:
    """A finished case owes nothing more: its deadlines no longer apply, except those the
    ending action itself starts (the reporter is told of a refusal to file). Windows run on:
    a publication period outlives the case, and a party's remedies are its own."""
    loaded = db.session.info.get(_OPEN_KEY)
    if loaded is not None and loaded[0] == case.id:
        clocks = [clock for clock in loaded[1] if clock.status in OPEN]
    else:
        clocks = db.session.scalars(select(Clock).where(Clock.case_id == case.id,
                                                        Clock.status.in_(OPEN)))
    for clock in clocks:
        if is_deadline(clock) and clock.kind not in keep:
            _close(clock, ClockStatus.cancelled, ClockEventKind.cancel, cause)


def _anchor(code: str, cause: Cause) -> date | None:
    # the hearing notice is due seven working days before the hearing (APL Art. 64 ¶1 (二))
    if CLOCK_KINDS[code].backwards and (cause.data or {}).get("hearing_on"):
        return date.fromisoformat(cause.data["hearing_on"])
    return None


#: document type served -> (clocks stopped, clocks started on the day of service)
SERVICE_CLOCKS = {
    # the statement window runs from service of the 告知书 (APL Art. 44, 64)
    "penalty_notice": ((), ("statement",)),
    "hearing_notice": (("hearing_notice",), ()),
    # review and litigation periods run from service of the decision (行政复议法 Art. 20,
    # 行政诉讼法 Art. 46); so does the payment period (APL Art. 67)
    "penalty_decision": (("decision_service",), ("review_period", "litigation_period",
                                                  "payment")),
    "no_penalty_decision": (("decision_service",), ("review_period", "litigation_period")),
}


def on_service(case, doc_type: str, served_on: date) -> None:
    """The periods that run "from service" start on the day of service."""
    stops, starts = SERVICE_CLOCKS.get(doc_type, ((), ()))
    cause = cause_of(case)
    for code in stops:
        stop(case, code, cause=cause)
    for code in starts:
        if code == "payment" and not case.fine_amount:
            continue  # nothing to pay
        start(case, code, served_on, cause=cause)


def recompute_open(cal: WorkCalendar) -> int:
    """Recompute every open clock against a changed holiday table; returns how many moved."""
    changed = 0
    for clock in db.session.scalars(select(Clock).where(Clock.status.in_(OPEN))):
        before = (clock.due_on, clock.unknown_year)
        compute(clock, cal)
        if (clock.due_on, clock.unknown_year) != before:
            changed += 1
            _record(clock, ClockEventKind.recompute,
                    Cause(reason=N_("节假日安排已更新，重新计算截止日期")), due_before=before[0])
    db.session.flush()
    return changed


def is_deadline(clock: Clock) -> bool:
    return CLOCK_KINDS[clock.kind].role == DEADLINE
