"""Starting, pausing, resuming, extending and stopping clocks as actions prescribe."""
from datetime import date, timedelta

from sqlalchemy import select

from enforcement.clocks.calendar import CalendarUnknown, due_date, working_days_between
from enforcement.clocks.kinds import CLOCK_KINDS
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import local_date, local_today, utcnow
from enforcement.extensions import db

OPEN = (ClockStatus.running, ClockStatus.paused)


def _due(start: date, length: int, unit: str) -> date | None:
    try:
        return due_date(start, length, unit)
    except CalendarUnknown:
        return None  # shown as "calendar data missing", never guessed


def open_clock(case, code: str) -> Clock | None:
    return db.session.scalar(
        select(Clock).where(Clock.case_id == case.id, Clock.kind == code,
                            Clock.status.in_(OPEN)).order_by(Clock.id.desc())
    )


#: clocks that run only for some cases
APPLIES = {
    # only a named reporter is told of the filing decision (投诉举报办法 Art. 31)
    "inform_reporter": lambda case: case.reporter_is_named,
}


def start(case, code: str, on: date | None = None) -> Clock | None:
    if not APPLIES.get(code, lambda case: True)(case):
        return None
    kind = CLOCK_KINDS[code]
    on = on or local_today()
    existing = open_clock(case, code)
    if existing is not None:
        existing.status, existing.stopped_at = ClockStatus.cancelled, utcnow()
    clock = Clock(case_id=case.id, kind=code, status=ClockStatus.running, started_on=on,
                  due_on=_due(on, kind.length, kind.unit), basis=str(kind.basis))
    db.session.add(clock)
    return clock


def stop(case, code: str) -> None:
    clock = open_clock(case, code)
    if clock is not None:
        clock.status, clock.stopped_at = ClockStatus.met, utcnow()


def pause(case, code: str) -> None:
    clock = open_clock(case, code)
    if clock is not None and clock.status is ClockStatus.running:
        clock.status, clock.paused_at = ClockStatus.paused, utcnow()


def resume(case, code: str) -> None:
    clock = open_clock(case, code)
    if clock is None or clock.status is not ClockStatus.paused:
        return
    paused_on, today = local_date(clock.paused_at), local_today()
    if clock.due_on is not None:
        # the paused time does not count: push the due date by the time excluded
        if CLOCK_KINDS[code].unit == "working_days":
            try:
                clock.due_on = _due(clock.due_on,
                                    working_days_between(paused_on, today), "working_days")
            except CalendarUnknown:
                clock.due_on = None
        else:
            clock.due_on = clock.due_on + timedelta(days=(today - paused_on).days)
    clock.status, clock.paused_at = ClockStatus.running, None


def extend(case, code: str) -> None:
    clock = open_clock(case, code)
    kind = CLOCK_KINDS[code]
    if clock is not None and clock.due_on is not None and kind.extension:
        clock.due_on = _due(clock.due_on, kind.extension, kind.unit)
    if clock is not None:
        clock.extensions += 1


def apply(case, effects, on: date | None = None) -> None:
    """Carry out a :class:`workflows.spec.Clocks` effect declaration."""
    for code in effects.stop:
        stop(case, code)
    for code in effects.pause:
        pause(case, code)
    for code in effects.resume:
        resume(case, code)
    for code in effects.extend:
        extend(case, code)
    for code in effects.start:
        start(case, code, on)
    db.session.flush()
