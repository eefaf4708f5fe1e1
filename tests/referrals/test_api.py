"""``GET /api/v1/referrals``: a police system lists its unit's transfers and acts on them
through the case action endpoint, without the web UI; other units see nothing of them."""
from sqlalchemy import select

from enforcement.cases.models import Case
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.referrals.models import Referral, ReferralKind
from tests.conftest import case_in_state
from tests.referrals.helpers import referral


def ids_of(unit_code, kind=ReferralKind.police) -> set[int]:
    return set(db.session.scalars(select(Referral.id).join(OrgUnit, OrgUnit.id == Referral.unit_id)
                                  .where(OrgUnit.code == unit_code, Referral.kind == kind)))


def all_items(api, query="") -> list[dict]:
    items, page = [], 1
    while True:
        body = api.get(f"/api/v1/referrals?page={page}{query}").get_json()
        items += body["items"]
        if page * body["page_size"] >= body["total"]:
            return items
        page += 1


def test_police_token_lists_and_acts(app, api):
    case_id = case_in_state("referred").id
    r = referral(case_id)
    api.as_user("police_linhe")
    items = all_items(api)
    assert {i["id"] for i in items} == ids_of("linhe_police")
    item = next(i for i in items if i["id"] == r.id)
    assert item["status"] == "unacknowledged" and item["case"]["id"] == case_id
    assert item["links"]["packet"] == f"/api/v1/referrals/{r.id}/packet"
    assert [c["kind"] for c in item["clocks"] if c["status"] in ("running", "due_soon")] == \
        ["transfer_delivery"]
    assert [a["name"] for a in item["allowed_actions"]] == ["acknowledge_transfer"]
    # the action the list offers, through the case action endpoint
    response = api.post(item["allowed_actions"][0]["href"], json={"note": "系统对接签收。"},
                        headers={"If-Match": f'"{item["case"]["version"]}"'})
    assert response.status_code == 200, response.get_json()
    item = next(i for i in all_items(api, "&filter=open") if i["id"] == r.id)
    assert item["status"] == "pending" and item["acknowledged_at"]
    names = {a["name"] for a in item["allowed_actions"]}
    assert {"accept_transfer", "decline_transfer", "request_supplement",
            "forward_transfer"} <= names
    response = api.post(f"/api/v1/cases/{case_id}/actions/accept_transfer",
                        json={"police_case_no": "临公经立字〔2026〕21号"},
                        headers={"If-Match": f'"{item["case"]["version"]}"'})
    assert response.status_code == 200, response.get_json()
    item = next(i for i in all_items(api) if i["id"] == r.id)
    assert item["status"] == "accepted" and item["receiver_case_no"] == "临公经立字〔2026〕21号"


def test_other_units_see_nothing_of_it(app, api):
    linhe = ids_of("linhe_police")
    api.as_user("police_city")
    assert {i["id"] for i in all_items(api)} == ids_of("city_police")
    assert not linhe & {i["id"] for i in all_items(api)}
    case_id = case_in_state("referred").id
    version = db.session.get(Case, case_id).version
    response = api.post(f"/api/v1/cases/{case_id}/actions/acknowledge_transfer",
                        json={"note": "越权签收。"}, headers={"If-Match": f'"{version}"'})
    assert response.status_code == 404
    api.as_user("court_linhe")
    court = all_items(api)
    assert {i["id"] for i in court} == ids_of("linhe_court", ReferralKind.court)
    assert all(i["kind"] == "court" for i in court)


def test_bad_queries_are_refused_in_chinese(app, api):
    api.as_user("police_linhe")
    for query in ("filter=late", "page=0", "kind=army"):
        response = api.get(f"/api/v1/referrals?{query}")
        assert response.status_code == 422
        assert response.get_json()["error"]["message"]
    assert api.get("/api/v1/referrals", headers={"Authorization": ""}).status_code == 401


def test_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/referrals"]["get"]
    assert operation["operationId"] == "list_referrals"
    assert {p["name"] for p in operation["parameters"]} == {"filter", "kind", "page"}
    assert "/api/v1/cases/{case_id}/actions/accept_transfer" in document["paths"]
