"""After publication: take-down by the sweep on the right day, withdrawal, credit repair;
the public URLs then answer 404 while the case file keeps everything."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from enforcement.audit.models import AuditEntry
from enforcement.clocks import sweep
from enforcement.clocks.calendar import add_months
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import acting_as_of, local_today
from enforcement.documents.models import Document
from enforcement.errors import Invalid, Refused
from enforcement.extensions import db
from enforcement.publicity import services
from enforcement.publicity.models import EntryStatus, PublicationEntry
from tests.conftest import user
from tests.publicity.helpers import entry_of, publish

CONDITIONS = {"performed": True, "remedied": True, "no_repeat": True, "not_listed": True}


def public(client, entry_id) -> tuple[int, int, bool]:
    listed = entry_id in [i["id"] for i in client.get(
        "/api/v1/public/penalties?page_size=100").get_json()["items"]]
    return (client.get(f"/penalties/{entry_id}").status_code,
            client.get(f"/penalties/{entry_id}/decision.pdf").status_code, listed)


def clock(case_id, kind) -> Clock:
    db.session.expire_all()
    return db.session.scalar(select(Clock).where(Clock.case_id == case_id, Clock.kind == kind)
                             .order_by(Clock.id.desc()))


def take_downs(entry_id) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "publicity.take_down", AuditEntry.object_id == str(entry_id)))


def test_the_sweep_takes_down_on_exactly_the_day_after_the_period(app, client):
    entry = publish()
    last_day = entry.period_ends_on
    period = clock(entry.case_id, "publication_period")
    assert last_day == (period.due_on or period.estimated_due_on)
    with acting_as_of(last_day):
        sweep.sweep()
        assert public(client, entry.id) == (200, 200, True)  # the last day: still public
    assert entry_of(entry.case_id).status is EntryStatus.active
    with acting_as_of(last_day + timedelta(days=1)):
        assert public(client, entry.id) == (404, 404, False)  # gone even before the sweep
        sweep.sweep()
        sweep.sweep()  # idempotent
    entry = entry_of(entry.case_id)
    assert entry.status is EntryStatus.taken_down and entry.end_reason == "公示期满"
    assert take_downs(entry.id) == 1
    assert clock(entry.case_id, "publication_period").status is ClockStatus.lapsed
    # the case file keeps the entry, its PDF and the decision
    assert entry.pdf and db.session.get(Document, entry.decision_document_id).pdf


def test_a_lower_fine_is_published_for_three_months(app):
    from werkzeug.datastructures import MultiDict

    from enforcement.cases import services as cases
    from enforcement.cases.models import Case
    from tests.conftest import case_in_state

    case = case_in_state("decision_review")
    cases.perform(case.id, "decide_penalty", user("linhe_head"), MultiDict({
        "violation": "当事人销售侵权商品5件。", "legal_basis": "《商标法》第六十条",
        "fine": "3000", "heavier_reasoning": "五年内第二次侵权（测试）"}),
        expected_version=case.version)
    entry = publish(db.session.get(Case, case.id))
    assert entry.period_months == 3
    assert entry.period_ends_on >= add_months(entry.published_on, 3)


def test_withdrawal_after_revocation_within_three_working_days(app, client):
    entry = publish()
    head = user("linhe_head")
    with pytest.raises(Invalid):
        services.withdraw(entry.id, head, "  ")
    services.record_revocation(entry.id, head, kind="revoked",
                               decided_on=local_today().isoformat(),
                               reason="行政复议决定撤销原处罚决定")
    due = clock(entry.case_id, "publication_withdrawal")
    assert due.status is ClockStatus.running and due.length == 3 and due.unit == "working_days"
    assert public(client, entry.id)[0] == 200
    services.withdraw(entry.id, head, "原行政处罚决定已被撤销")
    entry = entry_of(entry.case_id)
    assert entry.status is EntryStatus.withdrawn and entry.end_reason == "原行政处罚决定已被撤销"
    assert entry.ended_by_id == head.id and entry.revocation["kind"] == "revoked"
    assert clock(entry.case_id, "publication_withdrawal").status is ClockStatus.met
    assert public(client, entry.id) == (404, 404, False)
    # the case's timeline records the workflow action
    from enforcement.cases.models import Case
    assert "withdraw_publication" in [e.action for e in db.session.get(Case, entry.case_id).events]


def test_only_the_deciding_bureau_withdraws(app):
    entry = publish()
    with pytest.raises(Refused):
        services.withdraw(entry.id, user("linhe_inspector1"), "理由")
    from enforcement.errors import NotFound
    with pytest.raises(NotFound):
        services.withdraw(entry.id, user("wuyuan_head"), "理由")
    assert entry_of(entry.case_id).status is EntryStatus.active


def test_credit_repair_needs_six_months_and_the_four_conditions(app, client):
    entry = publish()
    head = user("linhe_head")
    eligible = services.repair_eligible_on(entry)
    assert eligible == add_months(entry.published_on, 6)
    with acting_as_of(eligible - timedelta(days=1)), pytest.raises(Refused) as early:
        services.remove_early(entry.id, head, conditions=CONDITIONS,
                              applied_on=(eligible - timedelta(days=1)).isoformat())
    assert any("公示未满规定期限" in r for r in early.value.reasons())
    with acting_as_of(eligible), pytest.raises(Refused) as missing:
        services.remove_early(entry.id, head, conditions={**CONDITIONS, "remedied": False},
                              applied_on=eligible.isoformat())
    assert any("已经主动消除危害后果和不良影响" in r for r in missing.value.reasons())
    assert entry_of(entry.case_id).status is EntryStatus.active
    with acting_as_of(eligible):
        services.remove_early(entry.id, head, conditions=CONDITIONS,
                              applied_on=eligible.isoformat(), note="当事人已履行全部义务")
        assert public(client, entry.id) == (404, 404, False)
    entry = entry_of(entry.case_id)
    assert entry.status is EntryStatus.removed_early
    assert entry.repair["conditions"] == CONDITIONS and entry.repair["applied_on"] == \
        eligible.isoformat()
    assert clock(entry.case_id, "publication_period").status is ClockStatus.cancelled


def test_typical_cases_are_chosen_by_the_city_bureau(app, client):
    entry = publish()
    with pytest.raises(Refused):
        services.set_typical(entry.id, user("linhe_head"), True, "典型")
    services.set_typical(entry.id, user("supervisor"), True, "销售假冒地理标志商品")
    page = client.get("/penalties/exposure").get_data(as_text=True)
    assert f"/penalties/{entry.id}\"" in page and "销售假冒地理标志商品" in page


def test_the_exposure_page_lists_repeat_infringers(app, client):
    page = client.get("/penalties/exposure").get_data(as_text=True)
    repeat = db.session.execute(select(PublicationEntry.party_key, func.count()).where(
        PublicationEntry.status == EntryStatus.active).group_by(PublicationEntry.party_key)
        .having(func.count() >= 2)).first()
    assert repeat is not None  # the demo's organisation penalised twice
    name = db.session.scalar(select(PublicationEntry.party_name).where(
        PublicationEntry.party_key == repeat[0]).limit(1))
    assert name in page and "从重处罚" in page


def test_taken_down_demo_entry_is_gone_but_kept(app, client):
    entry = db.session.scalar(select(PublicationEntry).where(
        PublicationEntry.status == EntryStatus.taken_down))
    assert entry.period_months == 3 and entry.period_ends_on < local_today()
    assert client.get(f"/penalties/{entry.id}").status_code == 404
    assert entry.redacted_html and entry.ended_at is not None
    assert isinstance(entry.period_ends_on, date)
