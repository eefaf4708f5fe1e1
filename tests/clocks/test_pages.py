"""The clocks as users see them: the case page's 期限 card, the clock-kind pages, the deadline
calculator (page and CLI), the holiday table, and the work lists on the dashboard."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from enforcement.clocks.models import CalendarYear, Clock, ClockStatus, HolidayDay
from enforcement.db import local_today
from enforcement.extensions import db
from tests.clocks.helpers import serve
from tests.conftest import GAP, Browser, case_in_state


def page(browser, path, status=200) -> str:
    response = browser.client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def card(html: str, heading: str) -> str:
    """The HTML of the card whose heading is ``heading``."""
    match = re.search(rf'<section[^>]*>(?:(?!</section>).)*?>{heading}</h2>.*?</section>',
                      html, re.S)
    assert match, heading
    return match.group(0)


def _weekday(year: int) -> str:
    """A Monday to Friday day of ``year`` (a make-up working day must be a weekend day)."""
    day = date(year, 1, 6)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def runs_into(year: int, case_id: int, kind: str) -> int:
    """Start the case's ``kind`` clock on 20 November of the year before ``year``, so that it
    runs into ``year``, and compute it as the app does; its id."""
    from enforcement.clocks.services import compute

    clock = db.session.scalar(select(Clock).where(Clock.case_id == case_id, Clock.kind == kind,
                                                  Clock.status == ClockStatus.running))
    clock.started_on = date(year - 1, 11, 20)
    compute(clock)
    db.session.commit()
    assert clock.unknown_year == year, (clock.due_on, clock.unknown_year)
    return clock.id


@pytest.fixture
def inspector(client):
    browser = Browser(client)
    browser.login("linhe_inspector1")
    return browser


def test_case_page_shows_each_clock_with_due_date_time_left_status_and_basis(app, inspector, gap):
    case = case_in_state("notified")
    runs_into(gap, case.id, "decision")
    serve(case.id, "penalty_notice", local_today())  # the statement window starts
    html = card(page(inspector, f"/cases/{case.id}"), "期限")
    statement = re.search(r'data-clock="statement" data-status="(\w+)".*?</div>\s*</div>', html,
                          re.S)
    assert statement and statement.group(1) in ("running", "due_soon")
    assert "截止" in statement.group(0) and "个工作日" in statement.group(0)
    assert 'href="/clocks/kinds/statement"' in html
    assert "《行政处罚法》第四十五条、第八十五条" in html
    # the 90-day decision clock ends in a year not entered yet: unknown, with an estimate
    decision = re.search(r'data-clock="decision".*?</div>\s*</div>', html, re.S).group(0)
    assert 'data-status="unknown"' in decision
    assert f"{gap} 年节假日安排未录入" in decision and "仅按周一至周五估算" in decision
    assert f'data-calendar-gap="{gap}"' in html


def test_overdue_and_paused_clocks_say_so(app, inspector):
    case = case_in_state("suspended")
    db.session.execute(update(Clock).where(Clock.case_id == case.id, Clock.kind == "decision")
                       .values(due_on=date(2026, 12, 1), unknown_year=None))
    db.session.commit()
    html = card(page(inspector, f"/cases/{case.id}"), "期限")
    assert re.search(r'data-clock="decision" data-status="paused"', html)
    assert "暂停期间不计入期限" in html
    assert 'data-clock-event="pause"' in html and "商标权属存在争议" in html

    investigating = case_in_state("investigating")
    db.session.execute(update(Clock).where(Clock.case_id == investigating.id,
                                           Clock.kind == "decision")
                       .values(due_on=local_today() - timedelta(days=8), unknown_year=None))
    db.session.commit()
    html = card(page(inspector, f"/cases/{investigating.id}"), "期限")
    assert re.search(r'data-clock="decision" data-status="overdue"', html)
    assert "超期 8 天" in html


def test_the_clock_kind_page_gives_the_basis_and_the_actions(app, client):
    html = page(Browser(client), "/clocks/kinds/transfer_decision")
    assert "《行政执法机关移送涉嫌犯罪案件的规定》第五条" in html
    assert "按自然日计算" in html  # Decree 310 periods are not APL/Coercion Law periods
    for action in ("提出移送公安机关", "批准移送公安机关", "不批准移送"):
        assert action in html
    assert "起算日不计入期间" in html
    assert "verification" in page(Browser(client), "/clocks/kinds")
    page(Browser(client), "/clocks/kinds/nothing", 404)


@pytest.mark.parametrize("query,due", [
    ("start=2026-09-30&length=5&unit=working_days", "2026-10-13"),
    ("start=2026-02-05&length=15&unit=days", "2026-02-24"),
    ("start=2026-01-31&length=1&unit=months", "2026-02-28"),
])
def test_the_calculator_page(app, client, query, due):
    html = page(Browser(client), f"/clocks/calculator?{query}")
    assert f"期间届满日：{due}" in html
    assert 'data-rule="start_not_counted"' in html


def test_the_calculator_says_when_a_year_is_unknown(app, client, gap):
    html = page(Browser(client),
                f"/clocks/calculator?start={gap - 1}-12-20&length=10&unit=working_days")
    assert 'data-result="unknown"' in html and f"{gap} 年的节假日安排尚未录入" in html
    assert "期间届满日" not in html


@pytest.mark.parametrize("start", ["9999-12-30", "0001-01-01", "1999-12-31"])
def test_the_calculator_refuses_a_start_no_case_has(app, client, start):
    """A start in year 9999 ran the count past the last date there is (a 500)."""
    html = page(Browser(client), f"/clocks/calculator?start={start}&length=365&unit=days")
    assert "日期须在 2000-01-01 至" in html and "期间届满日" not in html


def test_the_cli_says_when_a_period_runs_past_the_last_date(app, runner):
    result = runner.invoke(args=["clocks", "due", "--start", "9999-12-30", "--length", "5",
                                 "--unit", "days"])
    assert result.exit_code == 1 and "runs past 9999-12-31" in result.output


def test_the_cli_uses_the_same_code(app, runner, gap):
    result = runner.invoke(args=["clocks", "due", "--start", "2026-09-30", "--length", "5",
                                 "--unit", "working_days"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "2026-10-13"
    assert "rule: start_not_counted" in result.output
    rolled = runner.invoke(args=["clocks", "due", "--start", "2026-09-21", "--length", "10",
                                 "--unit", "days"])
    assert rolled.output.splitlines()[0] == "2026-10-08"
    assert "moved from 2026-10-01" in rolled.output
    unknown = runner.invoke(args=["clocks", "due", "--start", f"{gap - 1}-12-20", "--length",
                                  "10", "--unit", "working_days"])
    assert unknown.exit_code != 0 and f"no holiday data for {gap}" in unknown.output


# -- the holiday table --------------------------------------------------------------------------
def notice_form(browser, year, **fields):
    token = browser.csrf(f"/admin/calendar/{year}")
    data = {"csrf_token": token, "notice": "测试用通知（非真实安排）"}
    data.update(fields)
    return browser.client.post(f"/admin/calendar/{year}", data=data)


@pytest.fixture
def admin(client):
    browser = Browser(client)
    browser.login("admin")
    return browser


def test_only_the_rules_admin_edits_the_holiday_table(app, inspector):
    page(inspector, "/admin/calendar", 403)
    page(inspector, f"/admin/calendar/{GAP}", 403)


def test_entering_a_year_makes_its_clocks_known(app, admin, gap):
    waiting = runs_into(gap, case_in_state("investigating").id, "decision")
    assert str(gap) in page(admin, "/admin/calendar")
    # New Year's Day only — the one holiday 《全国年节及纪念日放假办法》 fixes; not a guess
    response = notice_form(admin, gap, **{"holidays-0-name": "元旦",
                                          "holidays-0-first": f"{gap}-01-01",
                                          "holidays-0-last": f"{gap}-01-01",
                                          "complete": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(CalendarYear, gap).complete
    assert db.session.scalar(select(HolidayDay.day).where(HolidayDay.year == gap)) == \
        date(gap, 1, 1)
    clock = db.session.get(Clock, waiting)
    assert clock.unknown_year is None and clock.due_on is not None
    assert "录入或修改" in page(admin, "/admin/calendar")


@pytest.mark.parametrize("fields,message", [
    ({"holidays-0-name": "春节", "holidays-0-first": f"{GAP}-02-10"}, "请填写节日名称、放假起止日期"),
    ({"holidays-0-name": "春节", "holidays-0-first": f"{GAP}-02-10",
      "holidays-0-last": f"{GAP}-02-01"}, "结束日期早于开始日期"),
    ({"holidays-0-name": "春节", "holidays-0-first": f"{GAP}-01-01",
      "holidays-0-last": f"{GAP}-02-01"}, "超过 15 天"),
    ({"holidays-0-name": "国庆节", "holidays-0-first": f"{GAP + 1}-10-01",
      "holidays-0-last": f"{GAP + 1}-10-03"}, f"不在 {GAP} 年的通知范围内"),
    ({"workdays-0-day": _weekday(GAP)}, "不是周六或周日"),
    ({"holidays-0-name": "元旦", "holidays-0-first": f"{GAP}-01-01",
      "holidays-0-last": f"{GAP}-01-03", "workdays-0-day": f"{GAP}-01-02"}, "在放假期间内"),
    ({"holidays-0-name": "甲", "holidays-0-first": f"{GAP}-01-01",
      "holidays-0-last": f"{GAP}-01-03", "holidays-1-name": "乙",
      "holidays-1-first": f"{GAP}-01-03", "holidays-1-last": f"{GAP}-01-04"}, "日期重叠"),
    ({"complete": "y"}, "应至少录入一项放假安排"),
])
def test_a_notice_is_checked_before_it_is_saved(app, admin, gap, fields, message):
    response = notice_form(admin, gap, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.get(CalendarYear, gap) is None


# -- work lists ---------------------------------------------------------------------------------
def test_an_inspector_sees_assigned_cases_nearest_deadline_first(app, inspector):
    html = page(inspector, "/dashboard")
    rows = re.findall(r'<tr data-case-id="(\d+)" data-status="(\w+)"', html)
    assert len(rows) >= 10
    # overdue first, then by the day each falls due (an unknown one by its labelled estimate)
    statuses = [s for _id, s in rows]
    rank = {"overdue": 0, "paused": 2, "none": 9}
    assert [rank.get(s, 1) for s in statuses] == sorted(rank.get(s, 1) for s in statuses)
    days = re.findall(r'<tr data-case-id="\d+" data-status="(?:due_soon|running)".*?'
                      r'<td class="text-nowrap">(\d{4}-\d\d-\d\d)', html, re.S)
    assert days == sorted(days) and len(days) >= 3
    assert "我的待办（按期限先后）" in html and "我承办的案件" in html


def test_a_bureau_head_sees_what_waits_for_approval_and_the_units_deadlines(app, client):
    browser = Browser(client)
    browser.login("linhe_head")
    html = page(browser, "/dashboard")
    filing_review = case_in_state("filing_review")
    assert f'data-case-id="{filing_review.id}"' in html  # waits for 批准立案
    assert "批准立案" in html
    assert "各单位期限情况" in html and 'data-unit="linhe_amr"' in html


def test_the_city_supervisor_sees_every_unit_with_overdue_counts(app, client):
    case = case_in_state("investigating", "wuyuan_amr")
    db.session.execute(update(Clock).where(Clock.case_id == case.id, Clock.kind == "decision")
                       .values(due_on=date(2026, 11, 1), unknown_year=None))
    db.session.commit()
    browser = Browser(client)
    browser.login("supervisor")
    html = page(browser, "/dashboard")
    wuyuan = re.search(r'data-unit="wuyuan_amr">.*?data-count="overdue">(\d+)<', html, re.S)
    assert wuyuan and int(wuyuan.group(1)) >= 1
    assert 'data-unit="linhe_amr"' in html
    assert "超期期限" in html and case.number in html


def test_the_admin_is_told_which_years_are_missing(app, admin, gap):
    runs_into(gap, case_in_state("investigating").id, "decision")
    html = page(admin, "/dashboard")
    assert f'data-calendar-gap="{gap}"' in html and "/admin/calendar" in html
