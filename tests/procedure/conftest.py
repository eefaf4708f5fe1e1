"""The procedures walk weeks ahead of today; near the end of a year that reaches a year whose
State Council holiday notice the package does not carry. A bureau's administrator enters it
(/admin/calendar/<year>); these tests enter one the same way, marked as a test notice, with
only New Year's Day (the one holiday fixed by 《全国年节及纪念日放假办法》 itself)."""
from datetime import date

import pytest

from enforcement.clocks import holidays
from enforcement.db import local_today
from enforcement.extensions import db
from tests.conftest import user


@pytest.fixture(autouse=True)
def next_year_known(app):
    year = local_today().year + 1
    if not holidays.current().knows(year):
        holidays.save_notice(holidays.NoticeEntry(
            year=year, notice=f"测试用假期安排（{year}年，非真实通知）", complete=True,
            holidays=[("元旦", date(year, 1, 1), date(year, 1, 1))], workdays=[]),
            user("admin"))
        db.session.commit()
