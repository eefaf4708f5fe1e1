"""A clock as pages show it: status as of today, time left, its history and legal basis."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from enforcement.cases.models import Case
from enforcement.clocks.calendar import CalendarUnknown, WorkCalendar, working_days_between
from enforcement.clocks.kinds import CLOCK_KINDS, DEADLINE, ClockKind
from enforcement.clocks.models import OPEN_STATUSES, Clock, ClockEventKind, ClockStatus
from enforcement.db import local_date, utcnow
from enforcement.extensions import db

#: days left at or below which a deadline is "due soon" (coloured, and reminded)
DUE_SOON_DAYS = 3
#: how each status is ordered on a list: what needs attention first
STATUS_ORDER = {"overdue": 0, "unknown": 1, "due_soon": 2, "running": 3, "paused": 4,
                "lapsed": 5, "met": 6, "cancelled": 7}


@dataclass
class ClockView:
    clock: Clock
    kind: ClockKind
    #: running | due_soon | paused | overdue | unknown | lapsed | met | cancelled
    status: str
    days_left: int | None = None
    working_days_left: int | None = None
    hours_left: int | None = None
    #: met after its due date
    late: bool = False
    surcharge: Decimal | None = None
    history: list = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.clock.status in OPEN_STATUSES

    @property
    def sort_key(self):
        """For a case page: what needs attention first."""
        return (STATUS_ORDER[self.status], self.due_or_estimate, self.clock.id)

    @property
    def urgency_key(self):
        """For a work list: overdue first, then by the day it falls due (an unknown one by its
        estimate), paused last."""
        rank = 0 if self.status == "overdue" else 2 if self.status == "paused" else 1
        return (rank, self.due_or_estimate, self.clock.id)

    @property
    def due_or_estimate(self) -> date:
        return self.clock.due_on or self.clock.estimated_due_on or date.max


def status_of(clock: Clock, today: date, now: datetime | None = None) -> str:
    """The status as of today, whether or not the sweep has run since the due date passed."""
    kind = CLOCK_KINDS[clock.kind]
    if clock.status is ClockStatus.paused:
        return "paused"
    if clock.status not in OPEN_STATUSES:
        return clock.status.value
    if clock.due_on is None:
        return "unknown"  # a year it needs has no holiday data yet
    past = (now or utcnow()) > clock.due_at if clock.due_at else today > clock.due_on
    if past:
        return "overdue" if kind.role == DEADLINE else "lapsed"
    if kind.role == DEADLINE and (clock.due_on - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "running"


def clock_view(clock: Clock, today: date, cal: WorkCalendar, now=None) -> ClockView:
    now = now or utcnow()
    view = ClockView(clock, CLOCK_KINDS[clock.kind], status_of(clock, today, now))
    if clock.due_on is not None:
        view.days_left = (clock.due_on - today).days
        if clock.unit == "working_days" and view.days_left > 0:
            try:
                view.working_days_left = working_days_between(today, clock.due_on, cal)
            except CalendarUnknown:
                pass
    if clock.due_at is not None:
        view.hours_left = int((clock.due_at - now).total_seconds() // 3600)
    if clock.status is ClockStatus.met and clock.due_on and clock.stopped_at:
        view.late = local_date(clock.stopped_at) > clock.due_on
    view.surcharge = _surcharge(clock, today, view.status)
    view.history = [e for e in clock.events if e.kind in HISTORY]
    return view


#: what a case page lists under a clock (start and stop show in its dates already)
HISTORY = (ClockEventKind.pause, ClockEventKind.resume, ClockEventKind.extend,
           ClockEventKind.recompute)


def _surcharge(clock: Clock, today: date, status: str) -> Decimal | None:
    """加处罚款 on an overdue fine, as the payment form counts it (rules.assessment).
    Shown for reference: days of review or litigation are not counted (Art. 73 ¶3)."""
    from enforcement.rules import assessment

    if clock.kind != "payment" or status != "overdue":
        return None
    return assessment.case_surcharge(db.session.get(Case, clock.case_id), today, clock).amount
