"""Regressions the workflow state machine found (``test_stateful.py``), kept as plain tests."""
import pytest
from werkzeug.datastructures import MultiDict

from enforcement.cases import services
from enforcement.cases.models import Case
from enforcement.db import local_today
from enforcement.errors import Invalid
from enforcement.extensions import db


def _refused_as_invalid(case, action, username, **fields):
    """The action is refused with field errors, and the case keeps its version."""
    from tests.conftest import user

    version = case.version
    with pytest.raises(Invalid) as refused:
        services.perform(case.id, action, user(username), MultiDict(fields),
                         expected_version=version)
    db.session.rollback()
    assert db.session.get(Case, case.id).version == version
    return refused.value.errors


def _worksheet_line(quantity="1", price="1"):
    return {"lines-0-name": "假冒面粉", "lines-0-status": "sold", "lines-0-quantity": quantity,
            "lines-0-unit": "袋", "lines-0-price": price, "lines-0-price_basis": "actual_price"}


@pytest.mark.parametrize("number", ["1e309", "Infinity", "NaN", "sNaN", "99999999999999999"])
def test_a_number_no_amount_column_holds_is_a_field_error_not_a_crash(app, number):
    """Decimal parses all of these; NaN/∞ made the form's range check or the rounding raise
    (a 500), and 17 digits overflowed Numeric(14, 2) on PostgreSQL."""
    from tests.conftest import case_in_state

    case = case_in_state("investigating")
    errors = _refused_as_invalid(case, "compute_business_volume", "linhe_inspector1",
                                 **_worksheet_line(price=number))
    assert "单价" in errors["lines"][0]
    errors = _refused_as_invalid(case, "compute_business_volume", "linhe_inspector1",
                                 **_worksheet_line(quantity=number))
    assert "数量" in errors["lines"][0]
    decided = case_in_state("decided")
    assert _refused_as_invalid(decided, "request_mediation", "holder_hetao", amount=number,
                               reasons="请求调解赔偿")["amount"]


def test_a_worksheet_whose_total_overflows_the_amount_is_refused(app):
    """Each line within range, but quantity × price beyond what the case can record."""
    from tests.conftest import case_in_state

    case = case_in_state("investigating")
    errors = _refused_as_invalid(case, "compute_business_volume", "linhe_inspector1",
                                 **_worksheet_line(quantity="99999999999", price="999999999"))
    assert "违法经营额" in errors["lines"][0]


def test_a_further_extension_by_absurdly_many_days_is_refused(app):
    """A second extension takes the days the collective discussion decided; 2^31 days or more
    overflowed the due date's arithmetic and the integer column (a 500)."""
    from tests.conftest import case_in_state, user

    case = case_in_state("investigating")
    today = local_today().isoformat()
    for action, username, fields in (
            ("extend_decision", "linhe_head", {"reason": "案情复杂"}),
            ("record_collective_discussion", "linhe_head",
             {"subject": "extend_decision", "held_on": today, "participants": "杨局长等",
              "conclusion": "再延长三十日"})):
        services.perform(case.id, action, user(username), MultiDict(fields),
                         expected_version=db.session.get(Case, case.id).version)
    for days in ("2147483648", "99999999999999999999"):
        errors = _refused_as_invalid(db.session.get(Case, case.id), "extend_decision",
                                     "linhe_head", reason="案情复杂", extension_days=days)
        assert errors["extension_days"]
