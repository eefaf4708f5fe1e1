"""The workflow actions' own text fields stay inert: the XSS corpus through every action form.

Every free-text field of every action (facts, reasons, opinions, places, names in the rows of
a table) is posted through the action's web form, with its CSRF token, by a user who may take
the action, with a payload of the XSS corpus (``xss_support``) and valid values elsewhere.
Then the case page with its history (and the receiver's or the rights holder's page, where they
see the action) shows each payload as text only, and every document the action issued shows it
literally, having fetched nothing. A field with a format (a date, an amount, a quantity, an
identifier) refuses a payload with a Chinese message, and the action changes nothing.

The actions are taken along the paths of the demo cases (``case_in_state``), several per test,
by the desk of ``workflow_desk`` (which posts the forms, checks the pages and documents, and
holds the tables of fields refused by a format, shown on no page or not printed). All of them
are taken in this file: :func:`test_every_action_text_field_is_taken_or_listed` reads its
``take`` calls.
"""
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from enforcement.clocks import holidays
from enforcement.clocks.calendar import add_working_days
from enforcement.clocks.models import Clock
from enforcement.db import acting_as_of, local_today
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from tests.conftest import case_in_state, user
from tests.security.workflow_desk import (
    NOT_PRINTED,
    NOT_SHOWN_ON_PAGES,
    REFUSED_BY_FORMAT,
    TEXT_KINDS,
    ActionDesk,
    Taken,
    latest,
)
from workflows.definition import ACTIONS, ACTIONS_BY_NAME


def unit_id(code: str) -> int:
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def D(text: str) -> date:  # noqa: N802 (as in the clock tests)
    return date.fromisoformat(text)


def working_days_ahead(n: int):
    return add_working_days(local_today(), n, holidays.current())


def due_on(case_id: int, kind: str):
    db.session.rollback()
    return db.session.scalars(select(Clock.due_on).where(
        Clock.case_id == case_id, Clock.kind == kind).order_by(Clock.id)).all()[-1]


def png_file():
    from tests.security.xss_support import png

    return (io.BytesIO(png()), "evidence.png")


@pytest.fixture
def desk(app, fetch):
    return ActionDesk(app, fetch)


def serve(desk, case_id, doc_type, on=None) -> Taken:
    return desk.take(case_id, "record_service", document=latest(case_id, doc_type).id,
                     method="direct", served_on=(on or local_today()).isoformat(),
                     refuse=doc_type == "penalty_notice")


# -- the actions, along the demo cases' paths -----------------------------------------------

def test_report_and_acceptance_actions(desk):
    today = local_today()
    case = case_in_state("registered").id
    taken = [desk.take(case, "assign", inspectors=[user("linhe_inspector1").id,
                                                   user("linhe_inspector2").id])]
    asked = desk.take(case, "request_identification",
                      reply_by=(today + timedelta(days=5)).isoformat())
    holder = "holder_weixin"  # the demo case's mark is 维信's
    desk.check(asked, also=[(holder, f"/holder/identification/{case}"), (holder, "/holder/")])
    taken += [desk.take(case, "record_identification", genuine="counterfeit"),
              desk.take(case, "extend_verification"),
              desk.take(case, "propose_filing", proposal="file"),
              desk.take(case, "return_to_verification"),
              desk.take(case, "propose_filing", proposal="file", refuse=False),
              desk.take(case, "approve_filing")]
    rejected = desk.take(case_in_state("filing_review").id, "reject_filing")
    moved = desk.take(case_in_state("verifying").id, "transfer_jurisdiction",
                      target_unit=unit_id("wuyuan_amr"))
    desk.check(*taken, rejected, moved)


def test_investigation_actions(desk):
    today = local_today().isoformat()
    case = case_in_state("investigating").id
    taken = [desk.take(case, "record_inquiry", held_on=today),
             desk.take(case, "record_inspection", held_on=today),
             desk.take(case, "record_evidence", files=png_file()),
             desk.take(case, "record_sampling", held_on=today),
             desk.take(case, "impose_measure", measure="seize",
                       goods=[{"quantity": "28"}, {"quantity": "40"}])]
    measure = latest(case, "coercive_measure_decision").id
    taken += [desk.take(case, "extend_measure", measure_document=measure),
              desk.take(case, "release_measure", measure_document=measure),
              desk.take(case, "order_correction",
                        correct_by=(local_today() + timedelta(days=3)).isoformat()),
              desk.take(case, "compute_business_volume", lines=[
                  {"status": "sold", "quantity": "12", "price": "85",
                   "price_basis": "actual_price"},
                  {"status": "unsold", "quantity": "28", "price": "88",
                   "price_basis": "marked_price"}]),
              desk.take(case, "record_collective_discussion", subject="extend_decision",
                        held_on=today),
              desk.take(case, "extend_decision", extension_days="30"),
              desk.take(case, "suspend"), desk.take(case, "resume"),
              desk.take(case, "propose_transfer", suspected_crime="sell_counterfeit"),
              desk.take(case, "reject_transfer"),
              desk.take(case, "finish_investigation", outcome="penalty", proposed_fine="20000")]
    desk.check(*taken)


def test_review_mediation_and_no_penalty_actions(desk):
    case = case_in_state("legal_review").id  # its mark is 河套's
    holder = "holder_hetao"
    asked = desk.take(case, "request_mediation", holder, amount="50000")
    answered = desk.take(case, "record_mediation", outcome="failed")
    desk.check(asked, answered, also=[(holder, f"/holder/cases/{case}/mediation"),
                                      (holder, "/holder/messages")])
    taken = [desk.take(case, "return_for_investigation"),
             desk.take(case, "finish_investigation", outcome="no_penalty", refuse=False),
             desk.take(case, "pass_review")]
    taken += [serve(desk, case, "penalty_notice"),
              desk.take(case, "record_statement", kind="statement")]
    with acting_as_of(due_on(case, "statement") + timedelta(days=1)):
        taken += [desk.take(case, "submit_for_decision"),
                  desk.take(case, "decide_no_penalty", ground="seller_exemption",
                            supplier_unit=0)]
    desk.check(*taken)


def test_hearing_decision_and_publicity_actions(desk):
    case = case_in_state("notified").id  # the hearing right was given
    taken = [serve(desk, case, "penalty_notice"),
             desk.take(case, "request_hearing", hearing_on=working_days_ahead(10).isoformat())]
    day = working_days_ahead(12)
    taken.append(desk.take(case, "reschedule_hearing", hearing_on=day.isoformat()))
    taken.append(serve(desk, case, "hearing_notice"))
    with acting_as_of(day):
        taken += [desk.take(case, "conclude_hearing"),
                  desk.take(case, "decide_penalty", fine="20000", order_to_stop="y"),
                  serve(desk, case, "penalty_decision", on=day),
                  desk.take(case, "publish", refuse=False),
                  desk.take(case, "withdraw_publication", refuse=False),
                  desk.take(case, "record_payment", amount="5000", paid_on=day.isoformat())]
    desk.check(*taken)


def test_enforcement_and_closing_actions(desk):
    from tests.clocks.helpers import act, filed

    # decided and served in January, unpaid: by July the remedies have lapsed (the dates of
    # tests/clocks/test_lifecycle.py, whose calendar year is seeded)
    case = filed(D("2026-01-05"))
    act(case, "finish_investigation", "linhe_inspector1", D("2026-01-06"), findings="事实清楚。",
        outcome="penalty", proposed_fine="20000", penalty_items="罚款贰万元")
    act(case, "pass_review", "linhe_reviewer", D("2026-01-06"), opinion="同意。",
        hearing_rights="y")
    with acting_as_of(D("2026-01-06")):
        taken = [serve(desk, case, "penalty_notice", on=D("2026-01-06"))]
    act(case, "record_statement", "linhe_inspector1", D("2026-01-06"), kind="waiver",
        content="放弃。")
    act(case, "submit_for_decision", "linhe_inspector1", D("2026-01-06"))
    act(case, "decide_penalty", "linhe_head", D("2026-01-07"), violation="销售侵权商品。",
        legal_basis="《商标法》第六十条", fine="20000")
    with acting_as_of(D("2026-01-07")):
        taken.append(serve(desk, case, "penalty_decision", on=D("2026-01-07")))
    with acting_as_of(D("2026-01-08")):
        taken.append(desk.take(case, "publish"))
    with acting_as_of(D("2026-07-09")):
        taken += [desk.take(case, "serve_payment_demand"),
                  serve(desk, case, "payment_demand", on=D("2026-07-09"))]
    with acting_as_of(D("2026-07-24")):
        taken.append(desk.take(case, "apply_court_enforcement", court=unit_id("linhe_court")))
    with acting_as_of(D("2026-07-27")):
        taken.append(desk.take(case, "accept_enforcement", hears_parties="y"))
    with acting_as_of(D("2026-07-30")):
        taken.append(desk.take(case, "rule_enforcement", ruling="enforce"))

    paid = case_in_state("publicized").id
    taken += [desk.take(paid, "record_payment", amount="20000",
                        paid_on=local_today().isoformat()),
              desk.take(paid, "close")]
    desk.check(*taken)


def test_referral_actions(desk):
    case, referred, declined = (case_in_state(state).id for state in (
        "referral_review", "referred", "referral_declined"))
    taken = [desk.take(case, "approve_transfer", police_unit=unit_id("linhe_police")),
             desk.take(case, "acknowledge_transfer")]
    forwarded = desk.take(case, "forward_transfer", police_unit=unit_id("city_police"))
    desk.check(*taken, forwarded)

    case = referred
    taken = [desk.take(case, "acknowledge_transfer", refuse=False),
             desk.take(case, "request_supplement"), desk.take(case, "supply_materials"),
             desk.take(case, "decline_transfer", ground="no_crime"),
             desk.take(case, "resume_administrative")]
    case = declined
    taken += [desk.take(case, "request_supervision"),
              desk.take(case, "record_supervision", kind="opinion"),
              desk.take(case, "request_reconsideration"),
              desk.take(case, "accept_transfer")]
    taken.append(desk.take(case, "hand_over_goods", handed_on=local_today().isoformat()))
    desk.check(*taken)


# -- the tables ----------------------------------------------------------------------------

#: actions with text fields this test does not take (none: every one is reached)
NOT_REACHED: dict[str, str] = {}


def text_fields(action) -> list[str]:
    """``action.field`` of every free-text field, ``action.field.column`` in tables."""
    found = []
    for spec in action.fields:
        if spec.kind in TEXT_KINDS:
            found.append(f"{action.name}.{spec.name}")
        found += [f"{action.name}.{spec.name}.{c.name}" for c in spec.columns
                  if c.kind in TEXT_KINDS]
    return found


def taken_in_this_file() -> set[str]:
    """The action names this file's tests pass to ``take`` (and ``serve``: record_service)."""
    import ast
    from pathlib import Path

    names = {"record_service"}
    for node in ast.walk(ast.parse(Path(__file__).read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "take" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)):
            names.add(node.args[1].value)
    return names


def test_every_action_text_field_is_taken_or_listed():
    """A new text field fails here until a test above takes its action (which fills every
    free-text field) or a table says why not."""
    every = {name for action in ACTIONS for name in text_fields(action)}
    with_text = {name.split(".")[0] for name in every}
    taken = taken_in_this_file()
    assert taken <= set(ACTIONS_BY_NAME), taken - set(ACTIONS_BY_NAME)
    assert with_text - taken - set(NOT_REACHED) == set(), "actions with text fields not taken"
    assert set(NOT_REACHED) <= with_text - taken, "listed as not reached, but taken"
    listed = {*REFUSED_BY_FORMAT, *NOT_SHOWN_ON_PAGES, *(name for _doc, name in NOT_PRINTED)}
    assert listed <= every, f"stale table entries: {listed - every}"
