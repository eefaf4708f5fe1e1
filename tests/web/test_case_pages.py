"""The case page and the action forms, as the people of the 临河区 bureau use them."""
import re

from sqlalchemy import func, select

from enforcement.audit.models import AuditEntry
from enforcement.cases.facts import Facts
from enforcement.cases.models import Case, CaseEvent
from enforcement.cases.services import allowed_actions, refusals_for
from enforcement.db import local_today
from enforcement.extensions import db
from tests.conftest import CSRF_RE, case_in_state, user
from tests.web import logged_in
from workflows import engine

STAGE_RE = re.compile(r'<div class="stage (done|current|todo)"[^>]*>([^<]+)</div>')
ACTION_RE = re.compile(r'data-action="(\w+)"')
BLOCKED_RE = re.compile(r'data-blocked="(\w+)">(.*?)</div>', re.S)
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
STATE_RE = re.compile(r'data-field="state">([^<]+)<')
STALE = "该案件已被他人修改，请刷新后重试"
PROPOSAL = {"cause": "涉嫌销售假冒“河套”注册商标的面粉", "facts": "现场查见假冒面粉十二袋。",
            "proposal": "file", "reason": "涉嫌违反《商标法》第五十七条，建议立案。"}


def snapshot(case_id: int) -> tuple:
    """What must not move when an action is refused: state, version and timeline length."""
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
    return case.state.value, case.version, events


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def open_form(client, case_id, action) -> tuple[str, str, str]:
    """The action form's HTML, its CSRF token and the case version it carries."""
    html = page(client, f"/cases/{case_id}/actions/{action}")
    return html, CSRF_RE.search(html).group(1), VERSION_RE.search(html).group(1)


def submit(client, case_id, action, fields, version=None):
    """Fill in the action form as a browser would and send it."""
    _html, token, seen_version = open_form(client, case_id, action)
    return client.post(f"/cases/{case_id}/actions/{action}", data={
        "csrf_token": token, "version": version or seen_version, **fields})


def section(html: str, heading: str) -> str:
    start = html.index(f">{heading}</h2>")
    return html[start:html.index("</section>", start)]


def test_case_page_shows_stages_timeline_parties_and_actions(app):
    client = logged_in(app, "linhe_inspector1").client
    case = case_in_state("investigating")
    me = user("linhe_inspector1")
    allowed = {a.name for a in allowed_actions(case, me)}
    html = page(client, f"/cases/{case.id}")

    assert STAGE_RE.findall(html) == [("done", "举报"), ("done", "立案"), ("current", "调查"),
                                      ("todo", "处罚"), ("todo", "公示"), ("todo", "移送")]
    assert STATE_RE.search(html).group(1) == "调查取证"
    assert case.case_no in html and case.report_no in html
    timeline = section(html, "办案记录")
    newest_first = [timeline.index(label) for label in ("批准立案", "提出立案建议", "指派办案人员")]
    assert newest_first == sorted(newest_first)
    assert "同意立案。" in timeline
    parties = section(html, "当事人")
    assert case.parties and all(cp.party.name in parties for cp in case.parties)

    assert set(ACTION_RE.findall(html)) == allowed
    assert {"record_inquiry", "finish_investigation", "propose_transfer"} <= allowed


def test_blocked_actions_are_shown_with_their_reasons(app):
    client = logged_in(app, "linhe_inspector1").client
    case = case_in_state("investigating")
    me, facts = user("linhe_inspector1"), Facts(case)
    expected = {}
    for action in engine.actions_from(case.state):
        refusals = refusals_for(action, case, me, facts)
        if refusals and refusals[0].code not in ("permission", "jurisdiction", "state"):
            expected[action.name] = refusals
    html = page(client, f"/cases/{case.id}")

    blocked = dict(BLOCKED_RE.findall(html))
    assert set(blocked) == set(expected) and "release_measure" in blocked
    assert "没有正在实施的查封、扣押措施" in blocked["release_measure"]
    assert 'data-action="release_measure"' not in html


def test_an_action_form_moves_the_case(app):
    client = logged_in(app, "linhe_inspector1").client
    case_id = case_in_state("verifying").id
    _state, version, events = snapshot(case_id)
    html, _token, seen = open_form(client, case_id, "propose_filing")
    assert int(seen) == version
    assert all(f'name="{name}"' in html for name in PROPOSAL)

    response = submit(client, case_id, "propose_filing", PROPOSAL)
    assert response.status_code == 303 and response.location == f"/cases/{case_id}"
    html = page(client, response.location)
    assert "已完成：提出立案建议" in html
    assert STATE_RE.search(html).group(1) == "立案审批中"
    assert PROPOSAL["reason"] in section(html, "办案记录")
    state, new_version, new_events = snapshot(case_id)
    assert (state, new_events) == ("filing_review", events + 1) and new_version > version


def test_a_form_error_keeps_what_was_typed_and_changes_nothing(app):
    client = logged_in(app, "linhe_inspector1").client
    case_id = case_in_state("verifying").id
    before = snapshot(case_id)

    response = submit(client, case_id, "propose_filing", {**PROPOSAL, "reason": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "提交的内容有误，请按提示修改" in html
    assert f'value="{PROPOSAL["cause"]}"' in html
    assert PROPOSAL["facts"] in html
    assert re.search(r'<textarea[^>]*class="[^"]*is-invalid[^"]*"[^>]*name="reason"', html)
    assert 'invalid-feedback' in html
    assert snapshot(case_id) == before


def test_a_stale_form_is_refused_and_changes_nothing(app):
    mine = logged_in(app, "linhe_inspector1").client
    colleague = logged_in(app, "linhe_inspector2").client
    case_id = case_in_state("verifying").id
    _html, _token, seen = open_form(mine, case_id, "propose_filing")
    # meanwhile a colleague asks the rights holder to identify the goods
    asked = {"items": "涉案面粉 20 袋", "reply_by": local_today().isoformat()}
    assert submit(colleague, case_id, "request_identification", asked).status_code == 303
    before = snapshot(case_id)
    assert before[1] == int(seen) + 1

    response = submit(mine, case_id, "propose_filing", PROPOSAL, version=seen)
    assert response.status_code == 303 and response.location == f"/cases/{case_id}"
    assert STALE in page(mine, response.location)
    assert snapshot(case_id) == before


def test_a_reader_who_may_not_act_gets_no_buttons_and_is_refused(app):
    client = logged_in(app, "linhe_reviewer").client
    case_id = case_in_state("investigating").id
    before = snapshot(case_id)
    html = page(client, f"/cases/{case_id}")
    assert ACTION_RE.findall(html) == []
    assert "当前没有您可以进行的操作" in html

    response = client.get(f"/cases/{case_id}/actions/record_inquiry")
    assert response.status_code == 302 and response.location == f"/cases/{case_id}"
    token = CSRF_RE.search(html).group(1)
    response = client.post(f"/cases/{case_id}/actions/record_inquiry", data={
        "csrf_token": token, "version": before[1], "person": "当事人", "held_on": "2026-01-05",
        "content": "询问笔录。"})
    assert response.status_code == 303 and response.location == f"/cases/{case_id}"
    assert "您没有进行此操作的权限" in page(client, response.location)
    assert snapshot(case_id) == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.refused", AuditEntry.actor_id == user("linhe_reviewer").id,
        AuditEntry.object_id == str(case_id))) == 1


def test_another_units_inspector_cannot_open_or_post_an_action(app):
    client = logged_in(app, "wuyuan_inspector1").client
    case_id = case_in_state("verifying").id
    before = snapshot(case_id)
    token = CSRF_RE.search(page(client, "/cases/")).group(1)
    assert client.get(f"/cases/{case_id}/actions/propose_filing").status_code == 404
    response = client.post(f"/cases/{case_id}/actions/propose_filing",
                           data={"csrf_token": token, "version": before[1], **PROPOSAL})
    assert response.status_code == 404
    assert snapshot(case_id) == before


def test_unknown_action_is_not_found(app):
    client = logged_in(app, "linhe_inspector1").client
    case_id = case_in_state("verifying").id
    assert client.get(f"/cases/{case_id}/actions/fly_to_the_moon").status_code == 404


def test_workflow_page_and_picture(app):
    client = logged_in(app, "linhe_inspector1").client
    html = page(client, "/workflow")
    assert 'src="/workflow.svg"' in html
    response = client.get("/workflow.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<svg" in svg
    assert all(label in svg for label in ("已登记", "调查取证", "已移送公安", "已结案"))
    assert "批准立案" in svg
