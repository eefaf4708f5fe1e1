"""Period arithmetic on the PRC working-day calendar (DESIGN §3).

Pure functions over a :class:`WorkCalendar`, which says whether a day is a working day: from
the State Council holiday notices an admin entered (they win where both speak) and from the
``chinese-calendar`` package for the years it covers. A day in a year that neither knows raises
:class:`CalendarUnknown`; it is never guessed as Monday–Friday.

The counting rules, each with its source (the ``RULES`` texts are what users are shown):

- the day a period starts on is not counted (民法典 Art. 201 ¶1; 市场监管行政处罚程序规定
  Art. 84 (R): “期间开始的日不计算在内”);
- a month or year period ends on the corresponding day of its last month, or on that month's
  last day when it has none (民法典 Art. 202);
- a period counted in days or months whose last day is a rest day — a weekend not made a
  working day by 调休, or a public holiday — ends on the next working day (民法典 Art. 203 ¶1);
- “二日、三日、五日、七日” in the Administrative Penalty Law are working days (APL Art. 85),
  as are periods of ten days or less in the Administrative Coercion Law (行政强制法 Art. 69);
  rules that say 工作日 themselves (e.g. Order 42 Art. 18) are counted so too;
- an hour period runs from the moment it starts, and is not moved off rest days (民法典
  Art. 201 ¶2; Art. 203 speaks of the last *day*);
- paused time (e.g. a rights holder's identification, Order 42 Art. 18 ¶2, Art. 64 ¶2) is not
  counted: the days after the pause began, up to and including the day it ended, are skipped —
  as working days in a working-day period, as calendar days otherwise.
"""
import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import chinese_calendar


def N_(message: str) -> str:
    """Mark a rule text for translation; it is translated where it is shown."""
    return message


#: the years the ``chinese-calendar`` package has holiday data for (1.11: 2004–2026)
PACKAGE_YEARS = range(min(d.year for d in chinese_calendar.holidays),
                      max(d.year for d in chinese_calendar.holidays) + 1)

UNITS = ("working_days", "days", "months", "hours")

#: rule code -> what is shown to users, with its source
RULES = {
    "start_not_counted": N_("起算日不计入期间（《民法典》第二百零一条第一款）"),
    "working_days": N_("按工作日计算，不含法定节假日和周休日，调休上班日计入"
                       "（《行政处罚法》第八十五条、《行政强制法》第六十九条，"
                       "或规定本身明定为工作日）"),
    "days": N_("按自然日计算（《民法典》第二百条）"),
    "months": N_("按月计算，到期月的对应日为最后一日（《民法典》第二百零二条）"),
    "month_end": N_("到期月没有对应日的，以该月最后一日为最后一日（《民法典》第二百零二条）"),
    "rolled": N_("最后一日是法定休假日的，以休假日结束的次日为最后一日（《民法典》第二百零三条）"),
    "hours": N_("按小时计算，自规定的时间起算，不因休息日顺延（《民法典》第二百零一条第二款）"),
    "paused": N_("中止、暂停期间不计入期限（如《市场监督管理行政处罚程序规定》"
                 "第十八条第二款、第六十四条第二款）"),
}


#: the rules that may apply to a period of each unit
UNIT_RULES = {
    "working_days": ("start_not_counted", "working_days", "paused"),
    "days": ("start_not_counted", "days", "rolled", "paused"),
    "months": ("start_not_counted", "months", "month_end", "rolled", "paused"),
    "hours": ("hours",),
}


class CalendarUnknown(LookupError):
    """No holiday data for the year of this date."""

    def __init__(self, day: date):
        super().__init__(day)
        self.year = day.year


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days (工作日)."""

    #: days an admin entered from a notice: True a working day (调休上班), False a holiday
    overrides: Mapping[date, bool] = field(default_factory=dict)
    #: years whose notice an admin marked as completely entered (what counts for a year the
    #: package does not know; in a year it knows, the package fills the days the table omits)
    complete_years: frozenset[int] = frozenset()
    #: only for estimates shown *as* estimates: treat an unknown year as Monday–Friday
    assume_weekdays: bool = False

    def knows(self, year: int) -> bool:
        return year in self.complete_years or year in PACKAGE_YEARS

    def is_working_day(self, day: date) -> bool:
        if not self.knows(day.year) and not self.assume_weekdays:
            raise CalendarUnknown(day)
        if day in self.overrides:  # the admin's table wins where both speak
            return self.overrides[day]
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        # Saturday and Sunday are the weekly rest days (国务院关于职工工作时间的规定 Art. 7)
        return day.weekday() < 5

    def estimating(self) -> "WorkCalendar":
        """The same calendar, guessing unknown years as Monday–Friday (for labelled estimates)."""
        return WorkCalendar(self.overrides, self.complete_years, assume_weekdays=True)


#: the package alone, for code without a database (and the tests of the arithmetic)
PACKAGE_CALENDAR = WorkCalendar()

#: a pause that has ended: the day it began and the day it ended
Pause = tuple[date, date]


@dataclass(frozen=True)
class Due:
    """The last day of a period, and how it was found."""

    day: date
    #: the last day before moving off a rest day
    nominal: date
    #: codes of :data:`RULES` that were applied, in order
    rules: tuple[str, ...]
    #: days in the period that were not counted (rest days, paused days)
    skipped: tuple[date, ...] = ()
    #: for hour periods: the moment the period ends
    moment: datetime | None = None


def _paused(day: date, pauses: Iterable[Pause]) -> bool:
    # the days after a pause began, up to and including the day it ended, are not counted
    return any(begun < day <= ended for begun, ended in pauses)


def next_working_day(day: date, cal: WorkCalendar = PACKAGE_CALENDAR) -> date:
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int, cal: WorkCalendar = PACKAGE_CALENDAR,
                     pauses: Iterable[Pause] = ()) -> date:
    """The ``n``-th working day after ``start`` (the start day is not counted)."""
    return _working(start, n, cal, tuple(pauses)).day


def _working(start, n, cal, pauses) -> Due:
    day, skipped = start, []
    while n > 0:
        day += timedelta(days=1)
        if not _paused(day, pauses) and cal.is_working_day(day):
            n -= 1
        else:
            skipped.append(day)
    rules = ("start_not_counted", "working_days") + (("paused",) if pauses else ())
    return Due(day, day, rules, tuple(skipped))


def add_months(start: date, n: int) -> date:
    """The corresponding day ``n`` months on, or the month's last day (民法典 Art. 202)."""
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def _calendar_days(start, n, cal, pauses) -> Due:
    day, skipped = start, []
    while n > 0:
        day += timedelta(days=1)
        if _paused(day, pauses):
            skipped.append(day)
        else:
            n -= 1
    rules = ("start_not_counted", "days") + (("paused",) if pauses else ())
    return _roll(Due(day, day, rules, tuple(skipped)), cal)


def _months(start, n, cal, pauses) -> Due:
    end = add_months(start, n)
    rules = ("start_not_counted", "months") + (("month_end",) if end.day != start.day else ())
    skipped: tuple[date, ...] = ()
    if pauses:
        # paused days lengthen the period by as many calendar days
        skipped = tuple(begun + timedelta(days=i) for begun, ended in pauses if begun < end
                        for i in range(1, (ended - begun).days + 1))
        end += timedelta(days=len(skipped))
        rules += ("paused",)
    return _roll(Due(end, end, rules, skipped), cal)


def _roll(due: Due, cal: WorkCalendar) -> Due:
    # a period whose last day is a rest day ends on the next working day (民法典 Art. 203)
    day = next_working_day(due.day, cal)
    if day == due.day:
        return due
    rest = tuple(due.day + timedelta(days=i) for i in range((day - due.day).days))
    return Due(day, due.nominal, due.rules + ("rolled",), due.skipped + rest)


def due_date(start: date, length: int, unit: str, cal: WorkCalendar = PACKAGE_CALENDAR,
             pauses: Iterable[Pause] = ()) -> date:
    """The last day of a period of ``length`` ``unit`` starting on ``start``."""
    return explain(start, length, unit, cal, pauses).day


def explain(start: date | datetime, length: int, unit: str,
            cal: WorkCalendar = PACKAGE_CALENDAR, pauses: Iterable[Pause] = ()) -> Due:
    """:func:`due_date` with the rules applied and the days skipped, for clocks and the
    calculator alike. An hour period needs ``start`` as an aware datetime."""
    pauses = tuple(pauses)
    if any(ended is None for _begun, ended in pauses):
        raise ValueError("a pause that has not ended has no length yet")
    if length < 0:
        raise ValueError("a period has no negative length")
    if unit == "hours":
        if not isinstance(start, datetime):
            raise TypeError("an hour period starts at a moment, not on a day")
        moment = start + timedelta(hours=length)
        return Due(moment.date(), moment.date(), ("hours",), moment=moment)
    if isinstance(start, datetime):
        raise TypeError("a day period starts on a (Chinese calendar) day, not at a moment")
    if unit == "working_days":
        return _working(start, length, cal, pauses)
    if unit == "days":
        return _calendar_days(start, length, cal, pauses)
    if unit == "months":
        return _months(start, length, cal, pauses)
    raise ValueError(f"unknown unit {unit!r}")


def working_days_between(start: date, end: date, cal: WorkCalendar = PACKAGE_CALENDAR) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count


def latest_day_before(end: date, n: int, cal: WorkCalendar = PACKAGE_CALENDAR) -> date:
    """The last day from which at least ``n`` working days remain up to ``end`` — e.g. the
    last day to serve a hearing notice “七日前” (APL Art. 64 ¶1 (二), Art. 85)."""
    day, count = end, 0
    while True:
        if cal.is_working_day(day):
            count += 1
            if count == n:
                return day - timedelta(days=1)
        day -= timedelta(days=1)
