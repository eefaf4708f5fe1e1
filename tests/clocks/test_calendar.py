"""Period arithmetic over the real 2025 and 2026 holiday periods (国务院办公厅 notices, as the
chinese-calendar package carries them), across a year boundary, and into a year with no data."""
from datetime import UTC, date, datetime

import pytest

from enforcement.clocks.calendar import (
    PACKAGE_CALENDAR,
    CalendarUnknown,
    WorkCalendar,
    add_months,
    due_date,
    explain,
    latest_day_before,
    next_working_day,
    working_days_between,
)

D = date.fromisoformat


@pytest.mark.parametrize("day,working", [
    # 2025 Spring Festival: 1-28 … 2-4 off; Sunday 1-26 and Saturday 2-8 are working days
    ("2025-01-26", True), ("2025-01-27", True), ("2025-01-28", False), ("2025-02-04", False),
    ("2025-02-05", True), ("2025-02-08", True), ("2025-02-09", False),
    # 2025 National Day and Mid-Autumn: 10-1 … 10-8 off; Sunday 9-28 and Saturday 10-11 work
    ("2025-09-28", True), ("2025-10-01", False), ("2025-10-08", False), ("2025-10-09", True),
    ("2025-10-11", True), ("2025-10-12", False),
    # 2026 New Year: 1-1 … 1-3 off, Sunday 1-4 works
    ("2026-01-01", False), ("2026-01-03", False), ("2026-01-04", True),
    # 2026 Spring Festival: 2-15 … 2-23 off (nine days); Saturdays 2-14 and 2-28 work
    ("2026-02-14", True), ("2026-02-15", False), ("2026-02-23", False), ("2026-02-24", True),
    ("2026-02-28", True),
    # 2026 National Day: 10-1 … 10-7 off; Sunday 9-20 and Saturday 10-10 work
    ("2026-09-20", True), ("2026-10-01", False), ("2026-10-07", False), ("2026-10-08", True),
    ("2026-10-10", True), ("2026-10-11", False),
    # an ordinary weekend and weekday
    ("2026-11-28", False), ("2026-11-30", True),
])
def test_working_days_follow_the_notices(day, working):
    assert PACKAGE_CALENDAR.is_working_day(D(day)) is working


#: (start, length, unit, due, rules applied) — the start day is never counted
PERIODS = [
    # APL "5日" = working days across the 2026 Spring Festival: Fri 13, make-up Sat 14, 24–26
    ("2026-02-12", 5, "working_days", "2026-02-26", ("start_not_counted", "working_days")),
    # 2025 Spring Festival: make-up Sunday 1-26 counts, 1-28 … 2-4 do not
    ("2025-01-24", 5, "working_days", "2025-02-07", ("start_not_counted", "working_days")),
    # 2025 National Day with both make-up days (Sun 9-28, Sat 10-11)
    ("2025-09-26", 7, "working_days", "2025-10-13", ("start_not_counted", "working_days")),
    # 2026 National Day: 10-8, 10-9, make-up Sat 10-10, 10-12, 10-13
    ("2026-09-30", 5, "working_days", "2026-10-13", ("start_not_counted", "working_days")),
    # starting on a holiday: the first working day after it is day one
    ("2026-10-01", 1, "working_days", "2026-10-08", ("start_not_counted", "working_days")),
    # across a year boundary: 2026 New Year off, make-up Sunday 1-4 counts
    ("2025-12-25", 10, "working_days", "2026-01-09", ("start_not_counted", "working_days")),
    # calendar days ending on a holiday move to the next working day (民法典 Art. 203)
    ("2026-09-21", 10, "days", "2026-10-08", ("start_not_counted", "days", "rolled")),
    ("2026-02-05", 15, "days", "2026-02-24", ("start_not_counted", "days", "rolled")),
    # … but not when the last day is a make-up working Saturday
    ("2026-02-13", 15, "days", "2026-02-28", ("start_not_counted", "days")),
    # an ordinary weekend
    ("2026-11-13", 15, "days", "2026-11-30", ("start_not_counted", "days", "rolled")),
    # 90 days from a filing, ending in the 2025 Spring Festival
    ("2024-10-31", 90, "days", "2025-02-05", ("start_not_counted", "days", "rolled")),
    # months: the corresponding day, else the month's last day (民法典 Art. 202)
    ("2025-08-31", 1, "months", "2025-09-30", ("start_not_counted", "months", "month_end")),
    ("2024-01-31", 1, "months", "2024-02-29", ("start_not_counted", "months", "month_end")),
    ("2026-01-31", 1, "months", "2026-02-28", ("start_not_counted", "months", "month_end")),
    # a month period ending on National Day rolls; six months across a year boundary
    ("2026-09-01", 1, "months", "2026-10-08", ("start_not_counted", "months", "rolled")),
    # 2026-01-31 exists, and is a Saturday: the period ends on Monday 2-2
    ("2025-07-31", 6, "months", "2026-02-02", ("start_not_counted", "months", "rolled")),
]


@pytest.mark.parametrize("start,length,unit,due,rules", PERIODS)
def test_periods(start, length, unit, due, rules):
    result = explain(D(start), length, unit)
    assert (result.day, result.rules) == (D(due), rules)
    assert due_date(D(start), length, unit) == D(due)


def test_a_rolled_period_names_the_rest_days_it_skipped():
    result = explain(D("2026-09-21"), 10, "days")
    assert result.nominal == D("2026-10-01")
    assert result.skipped == tuple(D(f"2026-10-0{i}") for i in range(1, 8))


def test_hours_run_from_the_moment_and_do_not_move_off_rest_days():
    start = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    result = explain(start, 24, "hours")
    assert result.moment == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert result.rules == ("hours",)
    with pytest.raises(TypeError):
        explain(D("2026-09-30"), 24, "hours")


def test_paused_days_are_not_counted():
    # verification of 15 working days from Mon 11-02; identification asked 11-05, answered
    # 11-11: the working days 11-06, 11-09, 11-10, 11-11 are excluded (Order 42 Art. 18 ¶2)
    plain = due_date(D("2026-11-02"), 15, "working_days")
    paused = explain(D("2026-11-02"), 15, "working_days",
                     pauses=[(D("2026-11-05"), D("2026-11-11"))])
    assert plain == D("2026-11-23")
    assert paused.day == D("2026-11-27") and "paused" in paused.rules
    # a calendar-day period is lengthened by the calendar days paused
    assert due_date(D("2026-11-02"), 30, "days", pauses=[(D("2026-11-05"), D("2026-11-11"))]) \
        == D("2026-12-08")
    # paused the day it began and resumed the same day: nothing excluded
    assert due_date(D("2026-11-02"), 15, "working_days",
                    pauses=[(D("2026-11-05"), D("2026-11-05"))]) == plain


def test_hearing_notice_is_due_seven_working_days_before_the_hearing():
    # hearing on Tue 2026-10-13: 10-13, 10-12, Sat 10-10, 10-9, 10-8 and 9-30, 9-29 are the
    # seven working days, so the notice must be served by 9-28
    last = latest_day_before(D("2026-10-13"), 7)
    assert last == D("2026-09-28")
    assert working_days_between(last, D("2026-10-13")) == 7
    assert working_days_between(last + (D("2026-09-29") - D("2026-09-28")), D("2026-10-13")) == 6


def test_next_working_day_and_between():
    assert next_working_day(D("2026-02-15")) == D("2026-02-24")
    assert next_working_day(D("2026-02-14")) == D("2026-02-14")
    assert working_days_between(D("2026-02-12"), D("2026-02-26")) == 5


def test_add_months_clamps_and_counts_back():
    assert add_months(D("2026-03-31"), -1) == D("2026-02-28")
    assert add_months(D("2026-05-31"), -60) == D("2021-05-31")
    assert add_months(D("2026-12-15"), 1) == D("2027-01-15")


# -- a year without data ------------------------------------------------------------------------
def test_a_year_without_data_is_unknown_never_guessed():
    with pytest.raises(CalendarUnknown) as caught:
        due_date(D("2026-12-20"), 10, "working_days")
    assert caught.value.year == 2027
    with pytest.raises(CalendarUnknown):
        due_date(D("2026-10-15"), 3, "months")  # 2027-01-15: is it a rest day? unknown
    with pytest.raises(CalendarUnknown):
        PACKAGE_CALENDAR.is_working_day(D("2027-01-04"))
    with pytest.raises(CalendarUnknown):
        PACKAGE_CALENDAR.is_working_day(D("2003-12-31"))
    # periods that stay inside known years are unaffected
    assert due_date(D("2026-12-01"), 10, "working_days") == D("2026-12-15")


#: a notice an admin entered in a test: only New Year's Day, which 《全国年节及纪念日放假办法》
#: fixes every year — not a guess at the real 2027 arrangement
TEST_2027 = WorkCalendar(overrides={D("2027-01-01"): False}, complete_years=frozenset({2027}))


def test_the_same_year_once_an_admin_marked_its_notice_entered():
    assert due_date(D("2026-12-20"), 10, "working_days", TEST_2027) == D("2027-01-04")
    assert due_date(D("2026-10-15"), 3, "months", TEST_2027) == D("2027-01-15")
    # 2026-12-31 + 1 day is New Year's Day (entered), then Sat/Sun: Monday 2027-01-04
    assert due_date(D("2026-12-31"), 1, "days", TEST_2027) == D("2027-01-04")
    # an entered but incomplete notice changes nothing yet
    incomplete = WorkCalendar(overrides={D("2027-01-01"): False})
    with pytest.raises(CalendarUnknown):
        due_date(D("2026-12-20"), 10, "working_days", incomplete)


def test_the_admin_table_wins_where_both_speak():
    # say an admin recorded that 2026-12-31 was made a holiday (a supplementary notice)
    corrected = WorkCalendar(overrides={D("2026-12-31"): False})
    assert due_date(D("2026-12-28"), 3, "working_days") == D("2026-12-31")
    with pytest.raises(CalendarUnknown):  # the fourth day would be in 2027
        due_date(D("2026-12-28"), 3, "working_days", corrected)


def test_an_estimate_is_only_ever_labelled_as_one():
    estimate = PACKAGE_CALENDAR.estimating()
    assert due_date(D("2026-12-20"), 10, "working_days", estimate) == D("2027-01-01")
    assert not estimate.knows(2027)


def test_negative_lengths_and_unknown_units_are_refused():
    with pytest.raises(ValueError):
        explain(D("2026-01-05"), -1, "days")
    with pytest.raises(ValueError):
        explain(D("2026-01-05"), 1, "weeks")


def test_in_a_year_the_package_knows_the_table_only_corrects_the_days_it_names():
    # a correction marked "complete" by mistake must not drop the package's holidays
    cal = WorkCalendar(overrides={D("2026-12-31"): False}, complete_years=frozenset({2026}))
    assert not cal.is_working_day(D("2026-10-01"))
    assert cal.is_working_day(D("2026-10-10"))  # the make-up Saturday still works
    assert not cal.is_working_day(D("2026-12-31"))
