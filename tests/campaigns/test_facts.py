"""The statistics' stored facts (enforcement.campaigns.facts): kept by the actions that change
a figure, always equal to a computation from scratch, read by the statistics a moment after
the action, and stored once however many refresh at the same time."""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from enforcement.campaigns import stats
from enforcement.campaigns.facts import MEASURES, rebuild, refresh_pending
from enforcement.campaigns.models import CaseStat, CaseStatPending
from enforcement.cases.models import Case
from enforcement.db import local_today
from enforcement.errors import Refused
from enforcement.extensions import db
from tests.cases.test_services import act, unit
from tests.conftest import case_in_state, user


def stored_facts() -> list[tuple]:
    """The fact rows, without their ids, in one order (money and days rounded as shown)."""
    stat = CaseStat.__table__
    rows = db.session.execute(select(*(c for c in stat.c if c.name != "id"))).all()

    def plain(value):
        if isinstance(value, float):
            return round(value, 6)
        if isinstance(value, Decimal):
            return value.quantize(Decimal("0.01"))
        return value.value if hasattr(value, "value") else value

    return sorted((tuple(plain(v) for v in row) for row in rows), key=repr)


def pending_cases() -> set[int]:
    return set(db.session.scalars(select(CaseStatPending.case_id)))


def city_now() -> dict:
    report = stats.quarterly(stats.Scope(user("supervisor")), stats.Quarter.of(local_today()))
    return report.total.values


def counted_actions() -> set[int]:
    """Four real actions that each change a figure; their cases."""
    filed = case_in_state("filing_review").id
    act(filed, "approve_filing", "linhe_head", opinion="同意立案。")
    decided = case_in_state("decision_review").id
    act(decided, "decide_penalty", "linhe_head", violation="销售侵权商品。",
        legal_basis="商标法第六十条", fine="20000", heavier_reasoning="二次侵权，从重处罚。")
    transferred = case_in_state("referral_review").id
    act(transferred, "approve_transfer", "linhe_head", police_unit=unit("linhe_police").id,
        opinion="同意")
    accepted = case_in_state("referred").id
    act(accepted, "acknowledge_transfer", "police_linhe", note="已签收。")
    act(accepted, "accept_transfer", "police_linhe", police_case_no="临公经立字〔2026〕99号")
    return {filed, decided, transferred, accepted}


def test_actions_that_change_a_figure_mark_their_case_in_the_same_transaction(app):
    refresh_pending()
    assert pending_cases() == set()
    assert counted_actions() <= pending_cases()


def test_an_action_that_counts_for_nothing_marks_nothing(app):
    refresh_pending()
    case_id = case_in_state("investigating").id
    act(case_id, "record_collective_discussion", "linhe_head", subject="other",
        held_on=local_today().isoformat(), participants="杨局长、吴队长", conclusion="同意。")
    assert pending_cases() == set()


def test_a_refused_action_leaves_no_mark(app):
    refresh_pending()
    case_id = case_in_state("filing_review").id
    with pytest.raises(Refused):
        act(case_id, "approve_filing", "linhe_inspector1", opinion="同意立案。")
    assert pending_cases() == set()


def test_facts_kept_by_the_actions_equal_a_rebuild_from_scratch(app):
    refresh_pending()
    counted_actions()
    act(case_in_state("legal_review").id, "pass_review", "linhe_reviewer", opinion="事实清楚。",
        hearing_rights="y")
    assert refresh_pending() >= 4
    kept = stored_facts()
    assert kept, "the demo cases have facts"
    rebuild()
    assert stored_facts() == kept


def test_the_statistics_show_an_action_of_a_moment_ago(app):
    before = city_now()
    act(case_in_state("filing_review").id, "approve_filing", "linhe_head", opinion="同意立案。")
    decided = case_in_state("decision_review").id
    act(decided, "decide_penalty", "linhe_head", violation="销售侵权商品。",
        legal_basis="商标法第六十条", fine="20000", heavier_reasoning="二次侵权，从重处罚。")
    after = city_now()
    assert after["filed"] == before["filed"] + 1
    assert after["penalties"] == before["penalties"] + Decimal("20000.00")
    assert pending_cases() == set()


def test_two_refreshers_at_once_store_each_fact_once(app):
    db.session.execute(CaseStat.__table__.delete())
    db.session.add_all(CaseStatPending(case_id=case_id)
                       for case_id in db.session.scalars(select(Case.id)))
    db.session.commit()
    barrier, errors = threading.Barrier(4), []

    def refresher():
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                refresh_pending()
            except Exception as exc:  # noqa: BLE001 — any failure fails the test
                errors.append(repr(exc))

    threads = [threading.Thread(target=refresher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    stat = CaseStat.__table__
    twice = db.session.execute(
        select(stat.c.case_id, stat.c.quarter, stat.c.dim, stat.c.key)
        .group_by(stat.c.case_id, stat.c.quarter, stat.c.dim, stat.c.key)
        .having(func.count() > 1)).all()
    assert twice == []
    assert pending_cases() == set()
    kept = stored_facts()
    rebuild()
    assert stored_facts() == kept


def test_every_measure_is_stored(app):
    # the stored row carries every figure the statistics sum (a new figure must be added to
    # the facts, or the pages would show it as zero)
    stored = {c.name for c in CaseStat.__table__.c}
    assert set(MEASURES) <= stored
    assert {code for code in stats.FIGURES_BY_CODE
            if stats.FIGURES_BY_CODE[code].kind in ("count", "money")} <= set(MEASURES)
