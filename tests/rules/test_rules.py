"""Rule data with effective dates: the version in force on the relevant day is applied, the
fine cap refuses a fine above it with its article, and changing a rule never changes a decided
case (DESIGN §4)."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from enforcement.cases.models import Case
from enforcement.errors import Invalid
from enforcement.extensions import db
from enforcement.rules import services as rules
from enforcement.rules.assessment import assess, fine_cap, hearing_check
from enforcement.rules.models import Rule, RuleApplication
from enforcement.rules.services import RuleEntry
from tests.clocks.helpers import act
from tests.conftest import Browser, case_in_state, user

D = date.fromisoformat


def new_version(code, day, **figures) -> Rule:
    current = rules.in_force(code, day)
    value = {**(current.value if current else {}), **figures}
    return rules.add(RuleEntry(code, day, value, "测试来源", "S"), user("admin"))


def test_the_version_in_force_on_a_day(app):
    assert rules.in_force("fine_cap", D("2014-04-30")) is None  # before the 2013 revision
    seeded = rules.in_force("fine_cap", D("2026-11-28"))
    assert (seeded.effective_from, seeded.confidence) == (D("2014-05-01"), "V")
    assert seeded.source == "《商标法》第六十条第二款"
    later = new_version("fine_cap", D("2027-01-01"), flat_cap="300000")
    assert rules.in_force("fine_cap", D("2026-12-31")).id == seeded.id
    assert rules.in_force("fine_cap", D("2027-01-01")).id == later.id


def test_the_criminal_defaults_are_marked_superseded(app):
    for crime in ("counterfeit_mark", "sell_counterfeit", "illegal_labels"):
        rule = rules.in_force(f"criminal.{crime}", D("2026-11-28"))
        assert "superseded 2025-04-26 by 法释〔2025〕5号 — confirm figures" in rule.note
        assert rule.effective_from == D("2010-05-07")


@pytest.mark.parametrize("volume,cap,branch", [
    (None, "250000", "flat"),  # no 违法经营额
    ("49999.99", "250000", "flat"),
    ("50000", "250000.00", "multiple"),  # 5 × 50,000
    ("120000", "600000.00", "multiple"),
])
def test_fine_cap_of_trademark_law_article_60(app, volume, cap, branch):
    case = case_in_state("decision_review")
    case.business_volume = Decimal(volume) if volume else None
    found = fine_cap(case, D("2026-11-28"))
    assert (found.cap, found.branch) == (Decimal(cap), branch)


def test_the_lighter_of_the_law_then_and_now_applies(app):
    # APL Art. 37: the rule of the time of the act, unless the one at decision is lighter
    case = case_in_state("decision_review")
    case.occurred_on = D("2026-06-01")
    heavier = new_version("fine_cap", D("2026-09-01"), flat_cap="400000")
    assert fine_cap(case, D("2026-11-28")).cap == Decimal("250000")
    lighter = new_version("fine_cap", D("2026-10-01"), flat_cap="100000")
    found = fine_cap(case, D("2026-11-28"))
    assert (found.cap, found.rule.id, found.applied_on) == (Decimal("100000"), lighter.id,
                                                           D("2026-11-28"))
    assert heavier.id != lighter.id


def test_a_fine_above_the_cap_is_refused_with_the_cap_and_its_article(app):
    case = case_in_state("decision_review")
    with pytest.raises(Invalid) as caught:
        act(case.id, "decide_penalty", "linhe_head", violation="销售侵权商品。",
            legal_basis="《商标法》第六十条", fine="250000.01", heavier_reasoning="二次侵权。")
    message = caught.value.errors["fine"][0]
    assert "250000" in message and "《商标法》第六十条第二款" in message
    assert db.session.get(Case, case.id).state.value == "decision_review"
    # at the cap it is accepted
    act(case.id, "decide_penalty", "linhe_head", violation="销售侵权商品。",
        legal_basis="《商标法》第六十条", fine="250000", heavier_reasoning="二次侵权。")


def test_the_proposed_fine_is_checked_when_the_investigation_ends(app):
    case = case_in_state("investigating")
    act(case.id, "compute_business_volume", "linhe_inspector1",
        **{"lines-0-name": "面粉", "lines-0-status": "sold", "lines-0-quantity": "300",
           "lines-0-unit": "件", "lines-0-price": "200", "lines-0-price_basis": "actual_price"})
    with pytest.raises(Invalid) as caught:
        act(case.id, "finish_investigation", "linhe_inspector1", findings="事实。",
            outcome="penalty", proposed_fine="300001")
    assert "300000" in caught.value.errors["proposed_fine"][0]


def test_a_decided_case_keeps_the_rule_it_applied(app):
    case = case_in_state("decision_review")
    outcome = act(case.id, "decide_penalty", "linhe_head", violation="销售侵权商品。",
                  legal_basis="《商标法》第六十条", fine="20000", heavier_reasoning="二次侵权。")
    applied = db.session.scalar(select(RuleApplication).where(
        RuleApplication.case_event_id == outcome.event.id, RuleApplication.code == "fine_cap"))
    assert (applied.figures["flat_cap"], applied.outcome["cap"]) == ("250000", "250000")
    # the law changes afterwards: a new version, in force from a later day
    new_version("fine_cap", D("2026-11-28"), flat_cap="100000")
    db.session.expire_all()
    again = db.session.get(RuleApplication, applied.id)
    assert (again.figures["flat_cap"], again.outcome["cap"]) == ("250000", "250000")
    # and the version it applied can no longer be corrected
    with pytest.raises(rules.RuleInUse):
        rules.correct(applied.rule, RuleEntry("fine_cap", applied.rule.effective_from,
                                              {**applied.figures, "flat_cap": "1"}, "x", "V"),
                      user("admin"))


def test_hearing_rights_must_be_told_for_a_larger_fine(app):
    case = case_in_state("legal_review")  # proposed 20,000 yuan
    check = hearing_check(case, Decimal("20000"), D("2026-11-28"))
    kinds = {cp.party.kind.value for cp in case.parties}
    assert check.required is (kinds == {"person"})  # 10,000 for a person, 100,000 otherwise
    case.parties[0].party.kind = type(case.parties[0].party.kind)("person")
    db.session.commit()
    with pytest.raises(Invalid) as caught:
        act(case.id, "pass_review", "linhe_reviewer", opinion="同意。")
    assert "应当告知当事人有要求听证的权利" in caught.value.errors["hearing_rights"][0]
    outcome = act(case.id, "pass_review", "linhe_reviewer", opinion="同意。", hearing_rights="y")
    applied = db.session.scalar(select(RuleApplication).where(
        RuleApplication.case_event_id == outcome.event.id))
    assert applied.code == "hearing" and applied.outcome["required"] is True


def test_criminal_thresholds_alert_with_the_rule_that_triggered(app):
    case = case_in_state("decision_review")
    case.business_volume = Decimal("60000")
    db.session.commit()
    found = assess(case, D("2026-11-28"))
    reached = {a.crime: a for a in found.alerts if a.reached}
    assert set(reached) == {"counterfeit_mark", "sell_counterfeit", "illegal_labels"}
    check = next(c for c in reached["counterfeit_mark"].checks if c.reached)
    assert (check.figure, check.threshold, check.case_value) == (
        "business_amount", Decimal("50000"), Decimal("60000"))
    browser = Browser(app.test_client())
    browser.login("linhe_head")
    html = browser.client.get(f"/cases/{case.id}/actions/decide_penalty").get_data(as_text=True)
    panel = re.search(r"<section[^>]*data-assessment>.*?</section>", html, re.S).group(0)
    assert 'data-crime="counterfeit_mark"' in panel and "涉嫌犯罪，应当移送公安机关" in panel
    assert "公通字〔2010〕23号" in panel and "superseded 2025-04-26" in panel
    assert "罚款上限" in panel and "300000" in panel  # 5 × 60,000


def test_the_panel_is_shown_only_where_decisions_are_made(app):
    browser = Browser(app.test_client())
    browser.login("linhe_inspector1")
    case = case_in_state("investigating")
    finish = browser.client.get(f"/cases/{case.id}/actions/finish_investigation")
    assert "data-assessment" in finish.get_data(as_text=True)
    inquiry = browser.client.get(f"/cases/{case.id}/actions/record_inquiry")
    assert "data-assessment" not in inquiry.get_data(as_text=True)


# -- the admin pages ----------------------------------------------------------------------------
def test_staff_read_the_rules_and_only_the_rules_admin_edits_them(app):
    inspector = Browser(app.test_client())
    inspector.login("linhe_inspector1")
    html = inspector.client.get("/rules/").get_data(as_text=True)
    assert "商标侵权罚款上限" in html and "《商标法》第六十条第二款" in html and "现行" in html
    assert inspector.client.get("/rules/fine_cap/new").status_code == 403

    admin = Browser(app.test_client())
    admin.login("admin")
    response = admin.post("/rules/hearing/new", {
        "effective_from": "2027-01-01", "figure_person": "20000",
        "figure_organisation": "200000", "source": "内蒙古自治区规定（测试）",
        "confidence": "S", "note": ""})
    assert response.status_code == 303
    rule = rules.in_force("hearing", D("2027-01-01"))
    assert rule.value == {"person": "20000", "organisation": "200000"}
    assert rules.in_force("hearing", D("2026-12-31")).value["person"] == "10000"
    # the same day twice is refused
    again = admin.post("/rules/hearing/new", {
        "effective_from": "2027-01-01", "figure_person": "1", "figure_organisation": "1",
        "source": "x", "confidence": "S"})
    assert again.status_code == 200 and "该日期已有一个版本" in again.get_data(as_text=True)
