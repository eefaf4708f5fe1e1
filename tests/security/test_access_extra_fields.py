"""Posts carrying extra fields change nothing beyond what the action does (issue 10 item 3).

What an attacker adds to a form or a body (another unit, state, version, status, assignee, case
id, the case's number or fine): a case action's form, a receiver's action on a referral and the
rights holder's answer are taken as if the fields were not there, and change only the version
and the action's own record; the API refuses each extra field with a 422 naming it, and changes
nothing.
"""
from sqlalchemy import select

from enforcement.cases.models import Case
from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.referrals.models import Referral, ReferralKind
from tests.conftest import case_in_state, user
from tests.notifications.helpers import ask_identification, today_filed
from tests.security.access_world import referral_of, unit
from tests.web import ApiUser, logged_in


def case_row(case_id: int) -> dict:
    table = Case.__table__
    return dict(db.session.execute(select(table).where(table.c.id == case_id)).mappings().one())


def inspector_ids(case_id: int) -> set[int]:
    return {u.id for u in db.session.get(Case, case_id).inspectors}


def forged_fields(case_id: int) -> dict:
    """What an attacker adds to a form or body: another unit, state, status, assignee."""
    other = case_in_state("investigating", "wuyuan_amr")
    wuyuan, intruder = unit("wuyuan_amr"), user("wuyuan_inspector1")
    return {"unit_id": str(wuyuan.id), "state": "closed", "status": "closed",
            "assigned_to": str(intruder.id), "inspectors": str(intruder.id),
            "reporter_user_id": str(user("holder_weixin").id), "filed_by_unit_id": str(wuyuan.id),
            "case_no": "伪造〔2026〕1号", "fine_amount": "1", "is_major": "y",
            "created_by_id": str(intruder.id), "id": str(other.id), "case_id": str(other.id),
            "kind": "court", "copy_unit_id": str(wuyuan.id), "receiver_case_no": "伪造"}


def assert_only_the_action_changed(case_id: int, before: dict, inspectors: set[int]):
    """A workflow action that stays in its state: one version more, nothing else on the row."""
    db.session.expire_all()
    after = case_row(case_id)
    assert after["version"] == before["version"] + 1
    changed = {k for k in after if after[k] != before[k]} - {"version", "updated_at"}
    assert changed == set(), f"extra fields changed {changed}"
    assert inspector_ids(case_id) == inspectors


def last_event_data(case_id: int) -> dict:
    from enforcement.cases.models import CaseEvent

    return db.session.scalar(select(CaseEvent.data).where(CaseEvent.case_id == case_id)
                             .order_by(CaseEvent.id.desc()).limit(1))


def test_extra_fields_in_a_case_action_form_change_nothing_else(app):
    case = case_in_state("investigating")
    before, inspectors = case_row(case.id), inspector_ids(case.id)
    browser = logged_in(app, "linhe_inspector1")
    path = f"/cases/{case.id}/actions/record_inspection"
    response = browser.post(path, {
        "version": str(case.version), "place": "临河区胜利路6号", "held_on": local_today().isoformat(),
        "content": "现场查见涉嫌侵权商品。", **forged_fields(case.id)})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert_only_the_action_changed(case.id, before, inspectors)
    assert set(last_event_data(case.id)) <= {"place", "held_on", "content"}


def test_extra_fields_in_an_api_action_body_are_refused_and_change_nothing(app):
    case = case_in_state("investigating")
    before, inspectors = case_row(case.id), inspector_ids(case.id)
    api = ApiUser(app, "linhe_inspector1")
    body = {"place": "临河区胜利路6号", "held_on": local_today().isoformat(),
            "content": "现场查见涉嫌侵权商品。"}
    for key, value in forged_fields(case.id).items():
        response = api.act(case.id, "record_inspection", {**body, key: value}, case.version)
        assert response.status_code == 422, key
        assert set(response.get_json()["error"]["fields"]) == {key}
    db.session.expire_all()
    assert case_row(case.id) == before
    # the same body without them is taken: the refusals above were the extra fields'
    response = api.act(case.id, "record_inspection", body, case.version)
    assert response.status_code == 200, response.get_json()
    assert_only_the_action_changed(case.id, before, inspectors)


def referral_row(referral_id: int) -> dict:
    table = Referral.__table__
    return dict(db.session.execute(select(table).where(table.c.id == referral_id))
                .mappings().one())


def test_extra_fields_in_a_receivers_action_change_nothing_else(app):
    case = case_in_state("referred")
    referral = referral_of(case.id, ReferralKind.police)
    before, inspectors = case_row(case.id), inspector_ids(case.id)
    referral_before = referral_row(referral.id)
    browser = logged_in(app, "police_linhe")
    response = browser.post(f"/referrals/{referral.id}/actions/acknowledge_transfer",
                            {"version": str(case.version), "note": "已签收。",
                             **forged_fields(case.id)},
                            token_from=f"/referrals/{referral.id}")
    assert response.status_code == 303
    assert_only_the_action_changed(case.id, before, inspectors)
    after = referral_row(referral.id)
    assert after["acknowledged_at"] is not None
    assert {k for k in after if after[k] != referral_before[k]} == {"acknowledged_at"}


def test_extra_fields_in_the_holders_answer_change_nothing_else(app):
    case_id = today_filed()
    ask_identification(case_id)
    before, inspectors = case_row(case_id), inspector_ids(case_id)
    browser = logged_in(app, "holder_hetao")
    response = browser.post(f"/holder/identification/{case_id}", {
        "version": str(before["version"]), "genuine": "counterfeit",
        "opinion": "包装与正品不符。", **forged_fields(case_id)})
    assert response.status_code == 303
    assert_only_the_action_changed(case_id, before, inspectors)
    assert set(last_event_data(case_id)) <= {"genuine", "opinion", "files"}
