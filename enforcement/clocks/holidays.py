"""The holiday table an admin keeps from each year's State Council notice, and the calendar
built from it and the ``chinese-calendar`` package.

The calendar is built from the database, and each process keeps the last one built together
with a fingerprint of the two tables (row counts, highest ids, day range, years complete, the
latest entry time). Every transaction that needs the calendar reads the fingerprint again (one
small aggregate query) and rebuilds when it differs, so a notice entered through one worker
counts in every worker at its next transaction. Within a transaction the calendar is kept in
the session; it is forgotten at commit, at rollback and when the transaction writes a notice.
"""
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from sqlalchemy import case, func, select, true

from enforcement.audit import services as audit
from enforcement.clocks.calendar import PACKAGE_YEARS, WorkCalendar
from enforcement.clocks.models import (
    OPEN_STATUSES,
    CalendarYear,
    Clock,
    HolidayDay,
    HolidayKind,
)
from enforcement.db import TransactionMemo, utcnow
from enforcement.extensions import db

#: the calendar of the current transaction (forgotten when it writes the holiday table)
_CALENDAR = TransactionMemo("enforcement.clocks.calendar", HolidayDay, CalendarYear)
_lock = threading.Lock()
#: (fingerprint, calendar) of the last calendar this process built
_built: tuple[tuple, WorkCalendar] | None = None


def current() -> WorkCalendar:
    """The working-day calendar as the database says now."""
    global _built
    memo = _CALENDAR.get()
    cal = memo.get("calendar")
    if cal is not None:
        return cal
    stamp = _fingerprint()
    built = _built
    if built is None or built[0] != stamp:
        built = (stamp, _load())
        with _lock:
            _built = built
    memo["calendar"] = built[1]
    return built[1]


def _fingerprint() -> tuple:
    """What changes whenever a notice is saved: ``save_notice`` stamps ``entered_at`` and
    replaces the year's rows (new ids); counts and day ranges catch deletions."""
    days = select(func.count(HolidayDay.id).label("n"), func.max(HolidayDay.id).label("top"),
                  func.min(HolidayDay.day).label("first"), func.max(HolidayDay.day).label("last"),
                  func.sum(case((HolidayDay.kind == HolidayKind.workday, 1), else_=0))
                  .label("workdays")).subquery()
    years = select(func.count(CalendarYear.year).label("n"),
                   func.sum(case((CalendarYear.complete.is_(True), CalendarYear.year), else_=0))
                   .label("complete"),
                   func.max(CalendarYear.entered_at).label("entered")).subquery()
    # two one-row aggregates side by side
    return tuple(db.session.execute(select(days, years).join_from(days, years, true())).one())


def forget() -> None:
    """Drop the calendar kept for this transaction (after writing the holiday table)."""
    _CALENDAR.forget(db.session)


def _load() -> WorkCalendar:
    complete = frozenset(db.session.scalars(select(CalendarYear.year)
                                            .where(CalendarYear.complete.is_(True))))
    known = complete | frozenset(PACKAGE_YEARS)
    # a notice counts once its year is known: an entry half-done changes nothing yet
    rows = db.session.execute(select(HolidayDay.day, HolidayDay.kind)
                              .where(HolidayDay.year.in_(known))).all()
    overrides = {day: kind is HolidayKind.workday for day, kind in rows}
    # shared by the threads of this process: read-only
    return WorkCalendar(overrides=MappingProxyType(overrides), complete_years=complete)


@dataclass(frozen=True)
class YearStatus:
    year: int
    in_package: bool
    notice: CalendarYear | None
    #: open clocks waiting for this year's notice
    waiting_clocks: int

    @property
    def known(self) -> bool:
        return self.in_package or bool(self.notice and self.notice.complete)


def year_statuses(today: date) -> list[YearStatus]:
    """Every year from the package's first to next year, newest first."""
    notices = {n.year: n for n in db.session.scalars(select(CalendarYear))}
    waiting = dict(db.session.execute(
        select(Clock.unknown_year, func.count()).where(Clock.status.in_(OPEN_STATUSES),
                                                       Clock.unknown_year.is_not(None))
        .group_by(Clock.unknown_year)).all())
    last = max(today.year + 1, max(notices, default=today.year), max(waiting, default=0))
    return [YearStatus(year, year in PACKAGE_YEARS, notices.get(year), waiting.get(year, 0))
            for year in range(last, PACKAGE_YEARS.start - 1, -1)]


@dataclass(frozen=True)
class NoticeEntry:
    """A year's notice as entered: holiday ranges and make-up working days."""

    year: int
    notice: str
    complete: bool
    #: (name, first day, last day)
    holidays: list[tuple[str, date, date]]
    #: (name, day)
    workdays: list[tuple[str, date]]


def save_notice(entry: NoticeEntry, actor, *, ip=None) -> CalendarYear:
    """Replace a year's rows with the notice as entered and recompute the open clocks that
    depend on the calendar; one transaction. The entry is validated by the form beforehand."""
    from enforcement.clocks.services import recompute_open

    notice = db.session.get(CalendarYear, entry.year) or CalendarYear(year=entry.year)
    notice.notice, notice.complete = entry.notice.strip(), entry.complete
    notice.entered_by_id, notice.entered_at = actor.id, utcnow()
    db.session.add(notice)
    db.session.execute(HolidayDay.__table__.delete().where(HolidayDay.year == entry.year))
    forget()
    for day, kind, name in _days(entry):
        db.session.add(HolidayDay(year=entry.year, day=day, kind=kind, name=name,
                                  source=notice.notice))
    db.session.flush()
    forget()
    changed = recompute_open(current())
    audit.record("calendar.save", actor=actor, obj_type="calendar_year", obj_id=entry.year,
                 ip=ip, notice=notice.notice, complete=entry.complete,
                 holidays=[[n, a.isoformat(), b.isoformat()] for n, a, b in entry.holidays],
                 workdays=[[n, d.isoformat()] for n, d in entry.workdays],
                 clocks_changed=changed)
    db.session.commit()
    return notice


def _days(entry: NoticeEntry):
    for name, first, last in entry.holidays:
        day = first
        while day <= last:
            yield day, HolidayKind.holiday, name
            day += timedelta(days=1)
    for name, day in entry.workdays:
        yield day, HolidayKind.workday, name


def notice_rows(year: int) -> list[HolidayDay]:
    return list(db.session.scalars(select(HolidayDay).where(HolidayDay.year == year)
                                   .order_by(HolidayDay.day)))


def conflicting_days(entry: NoticeEntry) -> list[date]:
    """Days of this entry already entered under another year's notice."""
    days = [day for day, _kind, _name in _days(entry)]
    if not days:
        return []
    return list(db.session.scalars(select(HolidayDay.day).where(
        HolidayDay.day.in_(days), HolidayDay.year != entry.year)))
