"""The deadline calculator's form and the holiday-notice form, with their checks."""
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from enforcement.cases.action_forms import PlausibleDate
from enforcement.clocks.holidays import NoticeEntry
from enforcement.clocks.kinds import UNIT_LABELS

#: the seven holidays of every notice, in its order (国务院《全国年节及纪念日放假办法》)
HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
#: rows on the notice form: the seven holidays and room for a combined or extra one
HOLIDAY_ROWS, WORKDAY_ROWS = 8, 8
#: longest holiday block a notice has had (春节 2026: nine days), with some margin
LONGEST_HOLIDAY = 15


class CalculatorForm(Form):
    """GET form: no session or CSRF needed to compute a date."""

    start = DateField(_l("起算日（事件发生之日）"), [InputRequired(), PlausibleDate()])
    length = IntegerField(_l("期间长度"), [InputRequired(), NumberRange(min=0, max=3660)])
    unit = SelectField(_l("计算单位"), [InputRequired()],
                       choices=[(code, UNIT_LABELS[code]) for code in
                                ("working_days", "days", "months")])


class HolidayRow(Form):
    name = StringField(_l("节日"), [Optional(), Length(max=40)])
    first = DateField(_l("放假起"), [Optional()])
    last = DateField(_l("放假止"), [Optional()])


class WorkdayRow(Form):
    day = DateField(_l("调休上班日"), [Optional()])
    name = StringField(_l("说明"), [Optional(), Length(max=40)])


class NoticeForm(FlaskForm):
    notice = StringField(_l("通知名称及文号"), [InputRequired(), Length(max=200)])
    holidays = FieldList(FormField(HolidayRow), min_entries=HOLIDAY_ROWS,
                         max_entries=HOLIDAY_ROWS)
    workdays = FieldList(FormField(WorkdayRow), min_entries=WORKDAY_ROWS,
                         max_entries=WORKDAY_ROWS)
    complete = BooleanField(_l("本年度通知已全部录入（此后按本表计算该年的工作日）"))


def _window(year: int) -> tuple[date, date]:
    # 元旦 may begin in the last days of the year before (e.g. 2022-12-31 in the 2023 notice)
    return date(year - 1, 12, 25), date(year, 12, 31)


def notice_entry(year: int, form: NoticeForm) -> tuple[NoticeEntry | None, list[str]]:
    """The notice as entered, or the reasons it cannot be saved (in the user's language)."""
    errors: list[str] = []
    first_allowed, last_allowed = _window(year)
    holidays = []
    for i, row in enumerate(form.holidays.entries, start=1):
        name, first, last = (row.form.name.data or "").strip(), row.form.first.data, \
            row.form.last.data
        if not (first or last):
            continue
        if not (first and last and name):
            errors.append(_("第 %(n)d 行放假安排：请填写节日名称、放假起止日期", n=i))
        elif last < first:
            errors.append(_("第 %(n)d 行放假安排：结束日期早于开始日期", n=i))
        elif (last - first).days >= LONGEST_HOLIDAY:
            errors.append(_("第 %(n)d 行放假安排：超过 %(days)d 天，请核对", n=i,
                            days=LONGEST_HOLIDAY))
        elif first < first_allowed or last > last_allowed:
            errors.append(_("第 %(n)d 行放假安排：日期不在 %(year)d 年的通知范围内",
                            n=i, year=year))
        else:
            holidays.append((name, first, last))
    errors += _overlaps(holidays)
    holiday_days = {first + timedelta(days=k) for _n, first, last in holidays
                    for k in range((last - first).days + 1)}
    workdays = []
    for i, row in enumerate(form.workdays.entries, start=1):
        day, name = row.form.day.data, (row.form.name.data or "").strip()
        if day is None:
            continue
        if not first_allowed <= day <= last_allowed:
            errors.append(_("第 %(n)d 行调休上班日：日期不在 %(year)d 年的通知范围内",
                            n=i, year=year))
        elif day.weekday() < 5:
            errors.append(_("第 %(n)d 行调休上班日：%(day)s 不是周六或周日，本来就是工作日",
                            n=i, day=day.isoformat()))
        elif day in holiday_days:
            errors.append(_("第 %(n)d 行调休上班日：%(day)s 在放假期间内",
                            n=i, day=day.isoformat()))
        else:
            workdays.append((name or _("调休上班"), day))
    if form.complete.data and not holidays:
        errors.append(_("标记为已全部录入时，应至少录入一项放假安排"))
    if errors:
        return None, errors
    return NoticeEntry(year, form.notice.data, bool(form.complete.data), holidays,
                       workdays), []


def _overlaps(holidays) -> list[str]:
    ordered = sorted(holidays, key=lambda h: h[1])
    return [_("放假安排“%(a)s”与“%(b)s”的日期重叠", a=a[0], b=b[0])
            for a, b in zip(ordered, ordered[1:], strict=False) if b[1] <= a[2]]


def fill(form: NoticeForm, year: int, rows) -> None:
    """Prefill the form with a year's rows as entered, or with the seven holiday names."""
    ranges, workdays = [], []
    for row in rows:
        if row.kind.value == "holiday":
            last = ranges[-1] if ranges else None
            if last and last[0] == row.name and last[2] + timedelta(days=1) == row.day:
                last[2] = row.day
            else:
                ranges.append([row.name, row.day, row.day])
        else:
            workdays.append((row.name, row.day))
    names = [r[0] for r in ranges] or list(HOLIDAY_NAMES)
    for i, entry in enumerate(form.holidays.entries):
        if i < len(ranges):
            entry.form.name.data, entry.form.first.data, entry.form.last.data = ranges[i]
        elif i < len(names):
            entry.form.name.data = names[i]
    for entry, (name, day) in zip(form.workdays.entries, workdays, strict=False):
        entry.form.name.data, entry.form.day.data = name, day
