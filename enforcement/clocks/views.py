"""The deadline calculator, the clock kinds and their legal bases, and the holiday table (admin).

The calculator and the clock pages show no case data and are public, for parties' counsel as
much as for clerks; the holiday table needs ``admin.rules``.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from enforcement.clocks import holidays
from enforcement.clocks.calendar import (
    N_,
    PACKAGE_YEARS,
    RULES,
    UNIT_RULES,
    CalendarUnknown,
    explain,
)
from enforcement.clocks.forms import CalculatorForm, NoticeForm, fill, notice_entry
from enforcement.clocks.kinds import CLOCK_KINDS, UNIT_LABELS
from enforcement.clocks.models import CalendarYear
from enforcement.clocks.responsibility import actions_touching
from enforcement.db import local_today
from enforcement.extensions import db

bp = Blueprint("clocks", __name__)

EVENT_LABELS = {"start": N_("开始"), "pause": N_("暂停"), "resume": N_("恢复"),
                "extend": N_("延长"), "stop": N_("完成"), "cancel": N_("取消"),
                "overdue": N_("超期"), "lapse": N_("届满"), "recompute": N_("重新计算")}


@bp.app_context_processor
def _clock_labels():
    return {"unit_labels": UNIT_LABELS, "clock_kinds": CLOCK_KINDS,
            "clock_event_labels": {k: _(v) for k, v in EVENT_LABELS.items()}}


@bp.route("/clocks/calculator")
def calculator():
    form = CalculatorForm(request.args)
    result = error = None
    if request.args and form.validate():
        try:
            result = explain(form.start.data, form.length.data, form.unit.data,
                             holidays.current())
        except CalendarUnknown as exc:
            error = _("%(year)d 年的节假日安排尚未录入，无法按工作日或休息日顺延规则计算；"
                      "请待系统管理员按国务院办公厅通知录入后再计算。", year=exc.year)
    return render_template("clocks/calculator.html", form=form, result=result, error=error,
                           rules=RULES, known=_known_years(),
                           weekday=format_date(result.day, "EEEE") if result else "")


def _known_years() -> str:
    cal = holidays.current()
    extra = sorted(y for y in cal.complete_years if y not in PACKAGE_YEARS)
    years = f"{PACKAGE_YEARS.start}–{PACKAGE_YEARS.stop - 1}"
    return years + "".join(f"、{y}" for y in extra)


@bp.route("/clocks/kinds")
def kinds():
    return render_template("clocks/kinds.html", kinds=CLOCK_KINDS.values(), rules=RULES)


@bp.route("/clocks/kinds/<code>")
def kind(code):
    found = CLOCK_KINDS.get(code)
    if found is None:
        abort(404)
    rules = {code: RULES[code] for code in UNIT_RULES[found.unit]}
    return render_template("clocks/kind.html", kind=found, touching=actions_touching(code),
                           rules=rules)


# -- the holiday table (admin.rules) -----------------------------------------------------------
def _admin():
    if not current_user.can("admin.rules"):
        abort(403)


@bp.route("/admin/calendar")
@login_required
def calendar_years():
    _admin()
    return render_template("admin/calendar.html",
                           years=holidays.year_statuses(local_today()))


@bp.route("/admin/calendar/<int:year>", methods=["GET", "POST"])
@login_required
def calendar_year(year):
    _admin()
    if not 2000 <= year <= local_today().year + 5:
        abort(404)
    notice = db.session.get(CalendarYear, year)
    form = NoticeForm()
    errors = []
    if request.method == "GET":
        fill(form, year, holidays.notice_rows(year))
        if notice is not None:
            form.notice.data, form.complete.data = notice.notice, notice.complete
    elif form.validate_on_submit():
        entry, errors = notice_entry(year, form)
        if entry is not None:
            clash = holidays.conflicting_days(entry)
            if clash:
                errors = [_("以下日期已在其他年份的通知中录入：%(days)s",
                            days="、".join(d.isoformat() for d in clash))]
            else:
                holidays.save_notice(entry, current_user._get_current_object(),
                                     ip=request.remote_addr)
                flash(_("%(year)d 年节假日安排已保存", year=year), "success")
                return redirect(url_for("clocks.calendar_year", year=year), 303)
    return render_template("admin/calendar_year.html", form=form, year=year, notice=notice,
                           errors=errors, in_package=year in PACKAGE_YEARS,
                           package_days=_package_days(year)), 422 if errors else 200


def _package_days(year: int) -> list:
    """What ``chinese-calendar`` says about the year, for comparison (empty if unknown)."""
    import chinese_calendar

    if year not in PACKAGE_YEARS:
        return []
    days = [(d, "holiday", str(n)) for d, n in chinese_calendar.holidays.items() if d.year == year]
    days += [(d, "workday", str(n)) for d, n in chinese_calendar.workdays.items()
             if d.year == year]
    return sorted(days)
