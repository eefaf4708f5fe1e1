"""The app starts on the seeded demo and a newcomer can log in and see cases."""
import re

from tests.conftest import case_in_state


def test_linhe_inspector_logs_in_and_sees_cases(browser):
    response = browser.login("linhe_inspector1")
    assert response.status_code == 302
    page = browser.client.get("/cases/").get_data(as_text=True)
    assert re.search(r"JB20\d\d", page)  # the cases' 登记编号
    assert "涉嫌销售侵犯" in page


def test_every_state_has_a_linhe_case(app):
    from workflows.states import CaseState

    missing = [s.value for s in CaseState if case_in_state(s.value) is None]
    assert missing == []
