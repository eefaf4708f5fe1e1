"""Who sees which case: every demo user against every case, through the web UI and the API.

The cases a user is entitled to are worked out here from the organisation tree, the referrals
and the rules of DESIGN §1 — deliberately not through ``enforcement.cases.scope``.
"""
import re
from collections import Counter

import pytest
from sqlalchemy import select

from enforcement.audit.models import AuditEntry
from enforcement.auth.permissions import ROLES
from enforcement.cases.intake import CaseData, register_case
from enforcement.cases.models import Case, CaseMark, CaseSource
from enforcement.cases.scope import visible_cases
from enforcement.demo.reference import USERS
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.orgs.models import OrgUnit, UnitKind
from enforcement.referrals.models import Referral, ReferralKind
from enforcement.reports.models import Report
from tests.conftest import case_in_state, user
from tests.web import ApiUser, logged_in

USERNAMES = [username for username, *_rest in USERS]
ROLES_OF = {username: roles for username, _name, roles, *_rest in USERS}
ROW_RE = re.compile(r'<tr data-case-id="(\d+)"')
TOTAL_RE = re.compile(r"共 (\d+) 件")


def unit(code: str) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


@pytest.fixture
def reported_cases(app):
    """Two 临河区 cases the demo lacks: filed by the 临河 station, and reported by a holder."""
    registrar = user("linhe_unit_head")

    def register(cause, **who):
        return register_case(registrar, registrar.unit, CaseData(
            cause=cause, summary="测试用举报。", district="linhe", **who)).id

    return {
        "station": register("指导站代农户举报（测试）", source=CaseSource.station,
                            filed_by_unit_id=unit("linhe_station").id),
        "holder": register("权利人网上举报（测试）", source=CaseSource.portal,
                           reporter_name="维信羊绒维权部",
                           reporter_user_id=user("holder_weixin").id),
    }


# -- entitlement from first principles ---------------------------------------------------
def permissions_of(username: str) -> set[str]:
    roles = ROLES_OF.get(username) or [r.code for r in user(username).roles]
    return set().union(*(ROLES[role][1] for role in roles))


def within(unit_id, top_id, parents) -> bool:
    """Whether ``unit_id`` is ``top_id`` or a unit below it."""
    while unit_id is not None:
        if unit_id == top_id:
            return True
        unit_id = parents[unit_id]
    return False


def reads_case_file(username: str) -> bool:
    return bool(permissions_of(username) & {"case.read", "referral.read", "court.read"})


def entitled(username: str) -> set[int]:
    """The cases whose file the user may open: its unit's, or those sent to its unit."""
    me, perms = user(username), permissions_of(username)
    parents = dict(db.session.execute(select(OrgUnit.id, OrgUnit.parent_id)).all())
    cases = db.session.execute(select(Case.id, Case.unit_id, Case.reporter_user_id,
                                      Case.filed_by_unit_id)).all()
    referrals = db.session.execute(select(Referral.case_id, Referral.kind, Referral.unit_id,
                                          Referral.copy_unit_id)).all()
    police = [r for r in referrals if r.kind is ReferralKind.police]
    if "case.read_all" in perms:
        return {c.id for c in cases}
    seen = set()
    if "case.read" in perms and me.unit_id is not None:
        seen |= {c.id for c in cases if within(c.unit_id, me.unit_id, parents)}
    if "referral.read" in perms and me.unit is not None:
        if me.unit.kind is UnitKind.procuratorate:
            seen |= {r.case_id for r in police if within(r.copy_unit_id, me.unit_id, parents)}
        else:
            seen |= {r.case_id for r in police if r.unit_id == me.unit_id}
    if "court.read" in perms and me.unit_id is not None:
        seen |= {r.case_id for r in referrals
                 if r.kind is ReferralKind.court and r.unit_id == me.unit_id}
    return seen


def follows(username: str) -> set[int]:
    """The cases a portal account follows (never through the case file): those it reported,
    filed as a station, or that concern a mark it owns (issue 5)."""
    me = user(username)
    if "report.read_own" not in permissions_of(username):
        return set()
    seen = set(db.session.scalars(select(Case.id).where(Case.reporter_user_id == me.id)))
    if me.unit_id is not None:
        seen |= set(db.session.scalars(select(Case.id).where(
            Case.filed_by_unit_id == me.unit_id)))
    seen |= set(db.session.scalars(
        select(CaseMark.case_id).join(Trademark, Trademark.id == CaseMark.trademark_id)
        .where(Trademark.owner_user_id == me.id)))
    seen |= set(db.session.scalars(
        select(Report.case_id).where(Report.submitted_by_user_id == me.id)))
    return seen


def every_case_id() -> list[int]:
    """Every case, and one id past the last: a case that does not exist is refused alike."""
    ids = sorted(db.session.scalars(select(Case.id)))
    return ids + [ids[-1] + 1]


def denied_case_ids(username: str) -> Counter:
    return Counter(db.session.scalars(select(AuditEntry.object_id).where(
        AuditEntry.action == "access.denied", AuditEntry.actor_id == user(username).id,
        AuditEntry.object_type == "case")))


def test_entitlement_follows_the_demo_story(app, reported_cases):
    def ids(*states):
        return {case_in_state(state).id for state in states}

    def of_unit(code):
        return set(db.session.scalars(select(Case.id).where(Case.unit_id == unit(code).id)))

    everything = set(db.session.scalars(select(Case.id)))
    transferred = ids("referred", "referral_declined", "police_filed")
    assert entitled("supervisor") == entitled("city_inspector1") == everything
    # the demo's two portal reports about 五原县 sellers (by an agent and by the 临河 station)
    portal = {r.case_id: r for r in db.session.scalars(
        select(Report).where(Report.idempotency_key.like("demo:%")))}
    by_key = {r.idempotency_key.split(":", 1)[1]: case_id for case_id, r in portal.items()}
    # the demo: a 临河区 case in every state, portal reports, published and campaign cases
    assert len(of_unit("linhe_amr")) >= 21 and len(of_unit("wuyuan_amr")) >= 4
    assert {by_key["agent-hetao"], by_key["station-linhe"]} <= of_unit("wuyuan_amr")
    assert entitled("linhe_reviewer") == of_unit("linhe_amr")
    assert entitled("wuyuan_inspector2") == of_unit("wuyuan_amr")
    # each police unit sees what was transferred to it (the city bureau's demo transfers went
    # to both units), never the other's; the city procuratorate sees every copy in its area
    assert transferred <= entitled("police_linhe")
    forwarded = {case_id for case_id, n in Counter(db.session.scalars(
        select(Referral.case_id).where(Referral.kind == ReferralKind.police))).items() if n > 1}
    assert entitled("police_city") and forwarded
    # only a transfer one unit forwarded to the other is in both: the first unit keeps seeing
    # what it received
    assert entitled("police_city") & entitled("police_linhe") <= forwarded
    assert entitled("procurator_city") == entitled("police_linhe") | entitled("police_city")
    assert entitled("court_linhe") == ids("court_enforcement")
    for nobody in ("admin", "auditor"):
        assert entitled(nobody) == follows(nobody) == set(), nobody

    # portal accounts open no case file; they follow their reports and their marks' cases
    def about_mark_of(username):
        return set(db.session.scalars(
            select(CaseMark.case_id).join(Trademark, Trademark.id == CaseMark.trademark_id)
            .where(Trademark.owner_user_id == user(username).id)))

    for portal_user in ("station_linhe", "holder_hetao", "holder_weixin"):
        assert entitled(portal_user) == set(), portal_user
    assert follows("station_linhe") == {reported_cases["station"], by_key["station-linhe"]}
    assert by_key["agent-hetao"] in about_mark_of("holder_hetao")
    assert follows("holder_hetao") == about_mark_of("holder_hetao")
    assert follows("holder_weixin") == {reported_cases["holder"]} | about_mark_of(
        "holder_weixin")
    assert follows("agent_zhixin") == {by_key["agent-hetao"]}
    for username in ("station_linhe", "holder_hetao", "holder_weixin", "agent_zhixin"):
        assert set(db.session.scalars(select(Case.id).where(
            visible_cases(user(username))))) == follows(username), username


# -- what the pages and the API show ------------------------------------------------------
def listed_on_pages(client, **query) -> set[int]:
    """The case ids of every page of the case list, checked against its "共 N 件"."""
    ids, page, total = [], 1, None
    while page < 50:
        html = client.get("/cases/", query_string={**query, "page": page}).get_data(as_text=True)
        if total is None:
            total = int(TOTAL_RE.search(html).group(1))
        rows = [int(i) for i in ROW_RE.findall(html)]
        if not rows:
            break
        ids += rows
        page += 1
    assert len(ids) == len(set(ids)) == total, f"{query}: {len(ids)} rows, 共 {total} 件"
    return set(ids)


def listed_by_api(api, **query) -> set[int]:
    ids, page, total = [], 1, None
    while total is None or len(ids) < total:
        response = api.get("/api/v1/cases", query_string={**query, "page": page})
        assert response.status_code == 200
        body = response.get_json()
        total = body["total"]
        if not body["items"]:
            break
        ids += [item["id"] for item in body["items"]]
        page += 1
    assert len(ids) == len(set(ids)) == total
    return set(ids)


@pytest.mark.parametrize("username", USERNAMES)
def test_web_pages_show_exactly_the_entitled_cases(app, reported_cases, username):
    expected, all_ids = entitled(username), every_case_id()
    client = logged_in(app, username).client
    if not reads_case_file(username):  # portal accounts are sent to the portal
        portal = client.get("/cases/")
        assert portal.status_code == 302 and "/portal/" in portal.headers["Location"] or \
            "/holder/" in portal.headers["Location"]
        assert {client.get(f"/cases/{case_id}").status_code for case_id in all_ids} == {302}
        return
    assert listed_on_pages(client) == expected
    assert listed_on_pages(client, q="JB20") == expected  # every 登记编号 this century
    statuses = {case_id: client.get(f"/cases/{case_id}").status_code for case_id in all_ids}
    assert statuses == {case_id: 200 if case_id in expected else 404 for case_id in all_ids}
    assert denied_case_ids(username) == Counter(
        str(case_id) for case_id in all_ids if case_id not in expected)


@pytest.mark.parametrize("username", USERNAMES)
def test_api_returns_exactly_the_entitled_cases(app, reported_cases, username):
    expected, all_ids = entitled(username), every_case_id()
    api = ApiUser(app, username)
    if not reads_case_file(username):  # portal accounts read their reports, not case files
        assert api.get("/api/v1/cases").status_code == 403
        assert {api.get(f"/api/v1/cases/{case_id}").status_code for case_id in all_ids} == {403}
        return
    assert listed_by_api(api) == expected
    assert listed_by_api(api, q="JB20") == expected
    for case_id in all_ids:
        response = api.get(f"/api/v1/cases/{case_id}")
        if case_id in expected:
            assert response.status_code == 200 and response.get_json()["id"] == case_id
        else:
            assert response.status_code == 404, f"{username} reads case {case_id}"
            assert response.get_json()["error"]["code"] == "not_found"
    assert denied_case_ids(username) == Counter(
        str(case_id) for case_id in all_ids if case_id not in expected)
