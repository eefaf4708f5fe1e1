"""What firing an action costs in SQL statements (issue 6: an action within 3× a bare
single-row UPDATE). Counted on whatever database the suite runs on; PostgreSQL folds the
claim with the event and the head move with the audit row, so it needs fewer."""
from datetime import date

import pytest
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from enforcement.audit.services import verify_chain
from enforcement.cases import services
from enforcement.cases.models import Case, CaseEvent
from enforcement.clocks import holidays
from enforcement.clocks.models import CalendarYear, HolidayDay, HolidayKind
from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.orgs.models import subtree_ids
from tests.conftest import case_in_state, user


class Statements:
    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        self.seen.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def as_signed_in(someone):
    """The user as a request's login loads it (with its roles)."""
    from enforcement.auth.services import user_for_session

    db.session.expunge(someone)
    return user_for_session(someone.get_id())


def discussion():
    return MultiDict({"subject": "other", "held_on": local_today().isoformat(),
                      "participants": "杨局长、吴队长、周法制", "conclusion": "同意。"})


def test_a_self_loop_action_costs_a_handful_of_statements(app):
    case_id = case_in_state("investigating").id
    version = db.session.get(Case, case_id).version
    db.session.commit()
    head = as_signed_in(user("linhe_head"))
    with Statements() as sql:
        outcome = services.perform(case_id, "record_collective_discussion", head,
                                   discussion(), expected_version=version)
    postgres = db.engine.dialect.name == "postgresql"
    # the case with its jurisdiction check; the claim (+ the event); the audit head lock;
    # the audit row (+ the head move) — no calendar, no unit tree, no reload after commit
    assert len(sql.seen) == (4 if postgres else 6), "\n".join(sql.seen)
    assert not any("holiday_days" in s or "calendar_years" in s for s in sql.seen)
    assert outcome.case.version == version + 1 and outcome.event.id is not None
    # what the action wrote is what a fresh session reads
    db.session.remove()
    stored = db.session.get(CaseEvent, outcome.event.id)
    assert (stored.case_id, stored.action, stored.actor_id) == (
        case_id, "record_collective_discussion", head.id)
    assert stored.data["participants"] == "杨局长、吴队长、周法制"
    assert db.session.get(Case, case_id).version == version + 1
    assert verify_chain().ok


def test_a_stale_version_still_refuses_and_changes_nothing(app):
    from enforcement.errors import Stale

    case_id = case_in_state("investigating").id
    version = db.session.get(Case, case_id).version
    events = len(db.session.get(Case, case_id).events)
    db.session.commit()
    with pytest.raises(Stale):
        services.perform(case_id, "record_collective_discussion", user("linhe_head"),
                         discussion(), expected_version=version - 1)
    db.session.remove()
    # the claim itself refuses too, when the version moves between the check and the claim
    case = db.session.get(Case, case_id)
    db.session.execute(Case.__table__.update().where(Case.id == case_id)
                       .values(version=version + 5))
    with pytest.raises(Stale):
        services._apply(case, services.engine.get_action("record_collective_discussion"),
                        user("linhe_head"), {"subject": "other"}, None, {})
    db.session.rollback()
    db.session.remove()
    assert db.session.get(Case, case_id).version == version
    assert len(db.session.get(Case, case_id).events) == events


def test_the_calendar_kept_in_memory_follows_a_notice_entered_elsewhere(app):
    before = holidays.current()
    assert before.knows(2026) and not before.knows(2031)
    db.session.commit()
    # another worker enters a year's notice: rows written without this process knowing
    db.session.add(CalendarYear(year=2031, notice="国办发明电〔2030〕1号", complete=True))
    db.session.add(HolidayDay(year=2031, day=date(2031, 1, 1), kind=HolidayKind.holiday,
                              name="元旦", source="国办发明电〔2030〕1号"))
    db.session.commit()
    after = holidays.current()
    assert after.knows(2031) and not after.is_working_day(date(2031, 1, 1))
    assert holidays.current() is after  # the same transaction reuses it
    db.session.commit()
    assert holidays.current() is after  # nothing changed: the process keeps it
    # a day changed in place (the kind only) is seen at the next transaction too
    db.session.execute(HolidayDay.__table__.update().where(HolidayDay.year == 2031)
                       .values(kind=HolidayKind.workday))
    db.session.commit()
    assert holidays.current().is_working_day(date(2031, 1, 1))


def test_the_unit_tree_is_read_once_per_transaction_and_follows_changes(app):
    from enforcement.orgs.models import OrgUnit, UnitKind

    city = db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None),
                                                   OrgUnit.kind == UnitKind.bureau))
    first = subtree_ids(city.id)
    with Statements() as sql:
        assert subtree_ids(city.id) == first
    assert sql.seen == []
    db.session.add(OrgUnit(code="bench_new", name="新设分局", short_name="新",
                           kind=UnitKind.bureau, parent_id=city.id, district=city.district))
    db.session.flush()
    added = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "bench_new"))
    assert added in subtree_ids(city.id)
    db.session.rollback()
    assert added not in subtree_ids(city.id)
