"""The quarterly statistics of a small hand-built data set equal the figures counted by hand
(tests/campaigns/dataset.py), column by column, on SQLite and PostgreSQL."""
from decimal import Decimal

import pytest

from enforcement.campaigns import stats
from enforcement.marks.models import MarkType
from tests.campaigns.dataset import build
from tests.conftest import user

Q2 = stats.Quarter(2024, 2)
NO_WORK = {"officers": 0, "businesses": 0, "markets": 0, "online_shops": 0}
ZERO = {"received": 0, "filed": 0, "major": 0, "closed": 0, "closing_rate": None,
        "case_value": Decimal("0.00"), "penalties": Decimal("0.00"), "seized": 0,
        "destroyed": 0, "transferred": 0, "police_filed": 0, "police_declined": 0,
        "published": 0, "overdue": 0, "repeat": 0, "avg_days": None}
LINHE = ZERO | {"received": 1, "filed": 2, "major": 1, "closing_rate": 0.0,
                "case_value": Decimal("50000.00"), "penalties": Decimal("25000.00"),
                "seized": 1, "destroyed": 1, "transferred": 1, "police_filed": 1,
                "published": 1, "overdue": 1}
WUYUAN = ZERO | {"received": 2, "filed": 1, "closed": 1, "closing_rate": 100.0,
                 "transferred": 1, "police_declined": 1, "repeat": 1, "avg_days": 81.6}
CITY = ZERO | {"received": 3, "filed": 3, "major": 1, "closed": 1, "closing_rate": 33.3,
               "case_value": Decimal("50000.00"), "penalties": Decimal("25000.00"),
               "seized": 1, "destroyed": 1, "transferred": 2, "police_filed": 1,
               "police_declined": 1, "published": 1, "overdue": 1, "repeat": 1,
               "avg_days": 81.6}
GI_OR_30 = ZERO | {"received": 1, "filed": 1, "major": 1, "closing_rate": 0.0,
                   "case_value": Decimal("50000.00"), "penalties": Decimal("25000.00"),
                   "seized": 1, "destroyed": 1, "published": 1}
WELL_KNOWN_OR_25 = ZERO | {"received": 1, "filed": 1, "closing_rate": 0.0, "transferred": 1,
                           "police_filed": 1, "overdue": 1}
ORDINARY_OR_29 = ZERO | {"received": 1, "filed": 1, "closed": 1, "closing_rate": 100.0,
                         "transferred": 1, "police_declined": 1, "repeat": 1,
                         "avg_days": 81.6}
ONLY_RECEIVED = ZERO | {"received": 1}


@pytest.fixture
def data(app):
    return build()


def figures(row) -> dict:
    return {code: row.values[code] for code in ZERO}


def rows_by_label(table) -> dict:
    return {row.label: row for row in table.rows}


def test_city_quarter_by_unit_with_total(data):
    report = stats.quarterly(stats.Scope(user("supervisor")), Q2)
    units, total = report.tables[0], report.tables[0].total
    by_unit = {row.key: row for row in units.rows}
    assert set(by_unit) == {data.linhe.id, data.wuyuan.id}
    for expected, row in ((LINHE, by_unit[data.linhe.id]), (WUYUAN, by_unit[data.wuyuan.id]),
                          (CITY, total)):
        for code, value in expected.items():
            assert row.values[code] == value, (row.label, code)
    # field work: routine and campaign figures of the quarter, not those of Q3
    assert {c: by_unit[data.linhe.id].values[c] for c in NO_WORK} == {
        "officers": 15, "businesses": 52, "markets": 3, "online_shops": 8}
    assert {c: by_unit[data.wuyuan.id].values[c] for c in NO_WORK} == {
        "officers": 7, "businesses": 30, "markets": 0, "online_shops": 0}
    assert {c: total.values[c] for c in NO_WORK} == {
        "officers": 22, "businesses": 82, "markets": 3, "online_shops": 8}


def test_breakdowns_count_a_case_in_each_of_its_types_and_classes(data):
    report = stats.quarterly(stats.Scope(user("supervisor")), Q2)
    by_type = {row.key: figures(row) for row in report.tables[1].rows}
    assert by_type == {MarkType.geographical_indication: GI_OR_30,
                       MarkType.well_known: WELL_KNOWN_OR_25,
                       MarkType.collective: ONLY_RECEIVED, MarkType.ordinary: ORDINARY_OR_29}
    by_class = {row.key: figures(row) for row in report.tables[2].rows}
    assert by_class == {25: WELL_KNOWN_OR_25, 29: ORDINARY_OR_29, 30: GI_OR_30,
                        31: ONLY_RECEIVED}
    assert [row.label for row in report.tables[1].rows] == [
        "普通商标", "地理标志证明商标", "集体商标", "驰名商标"]


def test_overlapping_campaigns_each_count_their_cases(data):
    x = stats.quarterly(stats.Scope(user("supervisor"), campaign=data.x), Q2)
    assert figures(x.total) == GI_OR_30  # A by hand, C by rule
    assert {c: x.total.values[c] for c in NO_WORK} == {
        "officers": 5, "businesses": 12, "markets": 1, "online_shops": 3}
    y = stats.quarterly(stats.Scope(user("supervisor"), campaign=data.y), Q2)
    # C (in both campaigns) and D by rule; E matched the rule but was taken out
    assert figures(y.total) == ZERO | {"received": 1, "closed": 1, "avg_days": 81.6}
    assert {c: y.total.values[c] for c in NO_WORK} == NO_WORK


def test_quarter_boundaries_follow_china_time(data):
    report = stats.quarterly(stats.Scope(user("supervisor")), Q2)
    q1 = dict((q.short, values) for q, values in report.trend)["2024Q1"]
    # A and D registered in Q1, D filed in Q1; D closed at 00:10 on 1 April in China
    assert (q1["received"], q1["filed"], q1["closed"]) == (2, 1, 0)
    q3 = stats.quarterly(stats.Scope(user("supervisor")), stats.Quarter(2024, 3))
    # F registered at 00:30 on 1 July in China; A closed in July; E's clock due in July
    assert (q3.total["received"], q3.total["closed"], q3.total["overdue"]) == (1, 1, 1)
    assert q3.total["police_filed"] == 0  # B's police filing at 23:30 on 30 June stays in Q2
    assert [q.short for q, _v in report.trend] == ["2023Q3", "2023Q4", "2024Q1", "2024Q2"]


@pytest.mark.parametrize("username, unit, expected", [
    ("wuyuan_head", "wuyuan", WUYUAN), ("linhe_head", "linhe", LINHE)])
def test_a_district_sees_only_its_own_figures(data, username, unit, expected):
    report = stats.quarterly(stats.Scope(user(username)), Q2)
    own = getattr(data, unit)
    assert [row.key for row in report.tables[0].rows] == [own.id]
    assert figures(report.total) == figures(report.tables[0].rows[0]) == expected
    assert own.name in report.title


def drilled(scope, code, dimension=None, key=None) -> set[str]:
    cases, total = stats.drill(scope, Q2, code, dimension, key)
    assert total == len(cases)
    return {case.report_no.removeprefix("T2024") for case in cases}


def test_every_figure_drills_down_to_its_cases(data):
    city = stats.Scope(user("supervisor"))
    expected = {"received": {"B", "C", "E"}, "filed": {"A", "B", "E"}, "major": {"A"},
                "closed": {"D"}, "closing_rate": {"D"}, "case_value": {"A"},
                "penalties": {"A"}, "seized": {"A"}, "destroyed": {"A"},
                "transferred": {"B", "E"}, "police_filed": {"B"}, "police_declined": {"E"},
                "published": {"A"}, "overdue": {"B"}, "repeat": {"E"}, "avg_days": {"D"}}
    assert set(expected) == set(stats.FIGURES_BY_CODE)
    for code, cases in expected.items():
        assert drilled(city, code) == cases, code
    assert drilled(city, "filed", "unit", str(data.wuyuan.id)) == {"E"}
    assert drilled(city, "filed", "mark_type", "gi") == {"A"}
    assert drilled(city, "received", "goods", "31") == {"C"}
    assert drilled(stats.Scope(user("supervisor"), campaign=data.x), "received") == {"C"}
    assert drilled(stats.Scope(user("supervisor"), campaign=data.y), "closed") == {"D"}


def test_a_district_drills_down_only_into_its_own_cases(data):
    wuyuan = stats.Scope(user("wuyuan_head"))
    assert drilled(wuyuan, "received") == {"C", "E"}
    assert drilled(wuyuan, "filed", "unit", str(data.linhe.id)) == set()
    assert drilled(stats.Scope(user("linhe_head")), "received") == {"B"}
