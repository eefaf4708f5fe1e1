"""``flask bench-data``: bulk cases that look like the service's own, and that the workspace
pages list and find like any other."""
import re
from collections import Counter

from sqlalchemy import func, select

from enforcement.cases.models import Case, CaseEvent, CaseGoods, CaseMark, CaseParty
from enforcement.cases.models import case_inspectors as CaseInspector
from enforcement.clocks.models import Clock
from enforcement.extensions import db
from enforcement.parties.identifiers import credit_code_valid
from enforcement.parties.models import Party
from tests.web import logged_in
from workflows.definition import ACTIONS_BY_NAME
from workflows.states import END_STATES, CaseState


def bench_cases():
    return db.session.scalars(select(Case).where(Case.report_no.like("BJ%"))).all()


def test_bench_data_writes_complete_cases_across_units_and_states(app, runner):
    before = db.session.scalar(select(func.count(Case.id)))
    result = runner.invoke(args=["bench-data", "--cases", "400", "--batch", "150"])
    assert result.exit_code == 0, result.output
    assert "added 400 cases" in result.output
    cases = bench_cases()
    assert len(cases) == 400 and db.session.scalar(select(func.count(Case.id))) == before + 400

    states = Counter(c.state for c in cases)
    assert states[CaseState.closed] > 150 and len(states) >= 10
    assert len({c.unit_id for c in cases}) >= 8
    ids = [c.id for c in cases]
    for model in (CaseParty, CaseMark, CaseGoods):
        per_case = Counter(db.session.scalars(select(model.case_id).where(
            model.case_id.in_(ids))))
        assert set(per_case) == set(ids) and set(per_case.values()) == {1}, model
    team = Counter(db.session.scalars(select(CaseInspector.c.case_id).where(
        CaseInspector.c.case_id.in_(ids))))
    assigned = {c.id for c in cases if c.state is not CaseState.registered}
    assert set(team) == assigned and set(team.values()) == {2}
    # the timeline leads to the state, and the version counts its actions
    for case in cases[:60]:
        events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                    .order_by(CaseEvent.id)).all()
        assert case.version == len(events) + 1
        if events:
            assert events[-1].to_state is case.state
            assert all(e.action in ACTIONS_BY_NAME for e in events)
            assert all(a.to_state is b.from_state for a, b in zip(events, events[1:],
                                                                  strict=False))
    clocked = set(db.session.scalars(select(Clock.case_id).where(Clock.case_id.in_(ids))))
    assert {c.id for c in cases if c.state not in END_STATES} == clocked
    parties = db.session.scalars(select(Party).join(CaseParty).where(
        CaseParty.case_id.in_(ids))).all()
    assert all(credit_code_valid(p.credit_code) for p in parties)
    assert len({p.id for p in parties}) < 400  # some parties come back: repeat infringers


def test_bench_cases_show_in_queues_and_search(app, runner):
    assert runner.invoke(args=["bench-data", "--cases", "300"]).exit_code == 0
    client = logged_in(app, "linhe_inspector1").client
    html = client.get("/queues/deadlines").get_data(as_text=True)
    assert "压测数据" in html
    shown = [int(i) for i in re.findall(r'data-case-id="(\d+)"', html)]
    total = int(re.search(r"共 (\d+) 件", html).group(1))
    assert total > 15 and len(shown) == min(total, 25) == len(set(shown))
    case = next(c for c in bench_cases() if c.unit.code == "linhe_amr")
    found = client.get(f"/cases/?number={case.report_no}").get_data(as_text=True)
    assert re.findall(r'<tr data-case-id="(\d+)"', found) == [str(case.id)]
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and case.cause in page.get_data(as_text=True)
    other = next(c for c in bench_cases() if c.unit.code == "wuyuan_amr")
    assert client.get(f"/cases/{other.id}").status_code == 404
