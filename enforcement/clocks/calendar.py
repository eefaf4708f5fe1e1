"""Period arithmetic on the PRC working-day calendar (DESIGN §3).

Known years come from the ``chinese-calendar`` package. A date in a year it does not know is
never guessed as Monday–Friday: :class:`CalendarUnknown` is raised and the clock says so.
"""
import calendar as _calendar
from datetime import date, timedelta

import chinese_calendar


class CalendarUnknown(LookupError):
    """No holiday data for the year of this date."""

    def __init__(self, day: date):
        super().__init__(day)
        self.year = day.year


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarUnknown(day) from None


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    # the start day is not counted (《行政处罚法》第八十五条)
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def add_months(start: date, n: int) -> date:
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    # a month period ending on a day the month lacks ends on its last day
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def due_date(start: date, length: int, unit: str) -> date:
    """The last day of a period of ``length`` ``unit`` starting on ``start``."""
    if unit == "working_days":
        return add_working_days(start, length)
    if unit == "days":
        end = start + timedelta(days=length)
    elif unit == "months":
        end = add_months(start, length)
    elif unit == "years":
        end = add_months(start, 12 * length)
    elif unit == "hours":
        return start + timedelta(days=max(1, length // 24))
    else:
        raise ValueError(unit)
    # a period whose last day is a rest day ends on the next working day
    return next_working_day(end)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
