"""The JSON API: tokens, cases, actions with If-Match, errors, and its OpenAPI document."""
import re

import pytest
from sqlalchemy import select

from enforcement.auth.services import change_password
from enforcement.cases.models import Case
from enforcement.cases.services import allowed_actions
from enforcement.extensions import db
from tests.conftest import case_in_state, user
from tests.perf.test_action_statements import Statements
from tests.web import ApiUser, fresh_client, logged_in

INQUIRY = {"person": "当事人张某", "held_on": "2026-01-05", "content": "询问其进货来源。"}
PROPOSAL = {"cause": "涉嫌销售假冒“河套”注册商标的面粉", "facts": "现场查见假冒面粉。",
            "proposal": "file", "reason": "符合立案条件。"}


def case_row(case_id: int) -> tuple:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    return case.state.value, case.version, case.unit_id, len(case.events)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()["error"]
    assert body["code"] and body["message"]
    return body


# -- tokens ----------------------------------------------------------------------------------
def test_token_for_good_credentials(app):
    response = fresh_client(app).post("/api/v1/auth/token", json={
        "username": "linhe_inspector1", "password": "demo-pass-2026"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and len(body["token"]) >= 32 and body["expires_at"]


@pytest.mark.parametrize("credentials", [
    {"username": "linhe_inspector1", "password": "wrong-password"},
    {"username": "nobody_here", "password": "demo-pass-2026"},
], ids=["wrong password", "unknown user"])
def test_no_token_for_bad_credentials(app, credentials):
    response = fresh_client(app).post("/api/v1/auth/token", json=credentials)
    error = error_of(response, 401)
    assert error == {"code": "login_failed", "message": "用户名或密码错误"}


def test_token_request_must_be_a_json_object(app):
    response = fresh_client(app).post("/api/v1/auth/token", data="username=x")
    assert error_of(response, 422)["code"] == "invalid"


# -- reading -----------------------------------------------------------------------------------
def test_case_list(app):
    inspector = ApiUser(app, "linhe_inspector1")
    body = inspector.get("/api/v1/cases").get_json()
    items = list(body["items"])
    while len(items) < body["total"]:  # the following pages
        body["page"] += 1
        more = inspector.get(f"/api/v1/cases?page={body['page']}").get_json()["items"]
        assert more, "a page short"
        items += more
    linhe = case_in_state("verifying").unit_id
    expected = set(db.session.scalars(select(Case.id).where(Case.unit_id == linhe)))
    assert body["total"] == len(expected) >= 19  # a 临河区 demo case in every state, and more
    assert len(items) == len(expected) and {i["id"] for i in items} == expected
    item = next(i for i in items if i["id"] == case_in_state("investigating").id)
    assert item["state"] == "investigating" and item["stage"] == "investigation"
    assert item["version"] == case_in_state("investigating").version


def test_case_detail(app):
    case = case_in_state("investigating")
    expected_actions = [a.name for a in allowed_actions(case, user("linhe_inspector1"))]
    response = ApiUser(app, "linhe_inspector1").get(f"/api/v1/cases/{case.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["state"], body["stage"], body["version"]) == (
        "investigating", "investigation", case.version)
    assert response.headers["ETag"] == f'"{case.version}"'

    assert [a["name"] for a in body["allowed_actions"]] == expected_actions
    for action in body["allowed_actions"]:
        schema = action["fields"]
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert action["label"] and set(schema.get("required", [])) <= set(schema["properties"])
    inquiry = next(a for a in body["allowed_actions"] if a["name"] == "record_inquiry")
    assert set(inquiry["fields"]["required"]) == set(INQUIRY)
    assert inquiry["fields"]["properties"]["held_on"] == {
        "type": "string", "format": "date", "title": "询问日期"}

    decision = next(d for d in body["deadlines"] if d["kind"] == "decision")
    assert decision["label"] == "作出处理决定" and decision["started_on"] and decision["basis"]
    # a due date in a year the holiday calendar does not know yet is "unknown", never guessed
    assert (decision["due_on"] is None) == (decision["status"] == "unknown")
    assert [e["action"] for e in body["timeline"]] == ["assign", "propose_filing",
                                                       "approve_filing"]
    assert body["timeline"][-1]["to_state"] == "investigating"


# -- acting ------------------------------------------------------------------------------------
def test_action_with_if_match_returns_the_new_version(app):
    case_id = case_in_state("investigating").id
    state, version, unit_id, events = case_row(case_id)
    response = ApiUser(app, "linhe_inspector1").act(case_id, "record_inquiry", INQUIRY, version)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] > version and response.headers["ETag"] == f'"{body["version"]}"'
    assert body["timeline"][-1]["action"] == "record_inquiry"
    assert case_row(case_id) == (state, body["version"], unit_id, events + 1)


def test_prefer_return_minimal_answers_with_what_the_action_did(app):
    """RFC 7240: an integration that only needs the outcome gets the new state, version,
    event and issued documents — read from what the action wrote, nothing else."""
    case_id = case_in_state("filing_review").id
    state, version, unit_id, events = case_row(case_id)
    head = ApiUser(app, "linhe_head")
    with Statements() as sql:
        response = head.post(f"/api/v1/cases/{case_id}/actions/approve_filing",
                             json={"opinion": "同意立案。", "is_major": False},
                             headers={"If-Match": f'"{version}"', "Prefer": "return=minimal"})
    assert response.status_code == 200, response.get_json()
    assert response.headers["Preference-Applied"] == "return=minimal"
    assert "Prefer" in response.headers["Vary"]
    body = response.get_json()
    assert set(body) == {"id", "state", "version", "event", "documents", "links"}
    assert (body["id"], body["state"]) == (case_id, "investigating")
    assert response.headers["ETag"] == f'"{body["version"]}"' and body["version"] > version
    assert body["event"]["action"] == "approve_filing"
    [approval] = body["documents"]
    assert approval["type"] == "filing_approval" and approval["number"]
    assert head.get(approval["href"]).status_code == 200
    assert head.get(body["links"]["case"]).get_json()["version"] == body["version"]
    assert case_row(case_id) == ("investigating", body["version"], unit_id, events + 1)
    # the answer reads nothing after the action's commit
    committed = max(i for i, s in enumerate(sql.seen) if s.startswith("WITH moved_head")
                    or s.startswith("INSERT INTO audit_log") or s.startswith("UPDATE audit_head"))
    assert not [s for s in sql.seen[committed + 1:] if s.startswith("SELECT")], sql.seen
    # without the preference: the whole case, as before
    again = head.post(f"/api/v1/cases/{case_id}/actions/record_collective_discussion",
                      json={"subject": "other", "held_on": "2026-11-20",
                            "participants": "杨局长、吴队长", "conclusion": "同意。"},
                      headers={"If-Match": f'"{body["version"]}"'})
    assert again.status_code == 200 and "Preference-Applied" not in again.headers
    assert "timeline" in again.get_json()


def test_wrong_role_is_forbidden(app):
    case_id = case_in_state("investigating").id
    before = case_row(case_id)
    response = ApiUser(app, "linhe_reviewer").act(case_id, "record_inquiry", INQUIRY, before[1])
    error = error_of(response, 403)
    assert error["code"] == "refused" and "您没有进行此操作的权限" in error["reasons"]
    assert case_row(case_id) == before


def test_other_units_case_and_unknown_action_are_not_found(app):
    case_id = case_in_state("investigating").id
    before = case_row(case_id)
    foreign = ApiUser(app, "wuyuan_inspector1")
    assert error_of(foreign.act(case_id, "record_inquiry", INQUIRY, before[1]), 404)["code"] \
        == "not_found"
    assert error_of(foreign.get(f"/api/v1/cases/{case_id}"), 404)["code"] == "not_found"
    own = ApiUser(app, "linhe_inspector1")
    assert error_of(own.act(case_id, "fly_to_the_moon", {}, before[1]), 404)["code"] \
        == "not_found"
    assert case_row(case_id) == before


def test_wrong_state_is_a_conflict(app):
    case_id = case_in_state("investigating").id
    before = case_row(case_id)
    response = ApiUser(app, "linhe_inspector1").act(case_id, "propose_filing", PROPOSAL, before[1])
    error = error_of(response, 409)
    assert error["code"] == "refused" and any("调查取证" in r for r in error["reasons"])
    assert case_row(case_id) == before


def test_stale_if_match_is_a_conflict(app):
    case_id = case_in_state("investigating").id
    before = case_row(case_id)
    response = ApiUser(app, "linhe_inspector1").act(case_id, "record_inquiry", INQUIRY,
                                                    before[1] - 1)
    assert error_of(response, 409)["code"] == "stale"
    assert case_row(case_id) == before


@pytest.mark.parametrize("body, bad_fields", [
    ({**INQUIRY, "held_on": "yesterday", "content": ""}, {"held_on", "content"}),
    ({**INQUIRY, "state": "closed", "unit_id": 1}, {"state", "unit_id"}),
], ids=["bad values", "unknown fields"])
def test_invalid_fields_are_reported_per_field(app, body, bad_fields):
    case_id = case_in_state("investigating").id
    before = case_row(case_id)
    response = ApiUser(app, "linhe_inspector1").act(case_id, "record_inquiry", body, before[1])
    error = error_of(response, 422)
    assert error["code"] == "invalid" and set(error["fields"]) == bad_fields
    assert all(error["fields"][name] for name in bad_fields)
    assert case_row(case_id) == before


def test_if_match_is_required(app):
    case_id = case_in_state("investigating").id
    before = case_row(case_id)
    response = ApiUser(app, "linhe_inspector1").act(case_id, "record_inquiry", INQUIRY, None)
    assert error_of(response, 428)["code"] == "version_required"
    assert case_row(case_id) == before


# -- tokens that do not work -------------------------------------------------------------------
def assert_unauthorized(response):
    assert error_of(response, 401)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_token_or_a_made_up_one_is_unauthorized(app):
    anonymous = ApiUser(app)
    assert_unauthorized(anonymous.get("/api/v1/cases"))
    assert_unauthorized(anonymous.get("/api/v1/cases", headers={"Authorization": "Bearer x"}))
    assert_unauthorized(anonymous.get("/api/v1/cases", headers={"Authorization": "Basic eDp5"}))


def test_web_logout_revokes_the_token(app):
    api = ApiUser(app, "linhe_inspector1")
    assert api.get("/api/v1/cases").status_code == 200
    logged_in(app, "linhe_inspector1").logout()
    assert_unauthorized(api.get("/api/v1/cases"))


def test_password_change_revokes_the_token(app):
    api = ApiUser(app, "linhe_inspector1")
    assert api.get("/api/v1/cases").status_code == 200
    me = user("linhe_inspector1")
    change_password(me, "a-new-password-2026", actor=me)
    assert_unauthorized(api.get("/api/v1/cases"))


# -- a case taken through acceptance by the right people ---------------------------------------
def take(api, case_id, action, body):
    detail = api.case(case_id)
    assert action in [a["name"] for a in detail["allowed_actions"]]
    response = api.act(case_id, action, body, detail["version"])
    assert response.status_code == 200, response.get_json()
    after = response.get_json()
    assert after["version"] > detail["version"]
    return after


def test_registered_case_is_filed_through_the_api(app):
    case_id = case_in_state("registered").id
    team = [user("linhe_inspector1").id, user("linhe_inspector2").id]
    unit_head = ApiUser(app, "linhe_unit_head")
    assign = next(a for a in unit_head.case(case_id)["allowed_actions"] if a["name"] == "assign")
    assert set(team) <= set(assign["fields"]["properties"]["inspectors"]["items"]["enum"])

    after = take(unit_head, case_id, "assign", {"inspectors": team})
    assert after["state"] == "verifying" and {i["id"] for i in after["inspectors"]} == set(team)
    inspector = ApiUser(app, "linhe_inspector1")
    after = take(inspector, case_id, "propose_filing", PROPOSAL)
    assert (after["state"], after["stage"], after["cause"]) == (
        "filing_review", "acceptance", PROPOSAL["cause"])
    head = ApiUser(app, "linhe_head")
    after = take(head, case_id, "approve_filing", {"opinion": "同意立案。", "is_major": False})

    assert (after["state"], after["stage"]) == ("investigating", "investigation")
    assert after["case_no"].startswith("临市监立")
    assert [e["action"] for e in after["timeline"]] == ["assign", "propose_filing",
                                                        "approve_filing"]
    assert "filing_approval" in [d["type"] for d in after["documents"]]
    assert "decision" in [d["kind"] for d in after["deadlines"]]
    assert case_row(case_id)[:2] == ("investigating", after["version"])


# -- the OpenAPI document ------------------------------------------------------------------------
def openapi(app) -> dict:
    response = fresh_client(app).get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def refs_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def resolve(doc, ref: str):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_openapi_document_is_complete_and_consistent(app):
    doc = openapi(app)
    assert doc["openapi"].startswith("3.1.") and doc["info"]["title"] and doc["info"]["version"]
    # parameter names may differ between the Flask rule and the template: compare the shapes
    documented = {re.sub(r"{\w+}", "{}", path): set(ops) for path, ops in doc["paths"].items()}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "api.take_action":
            # documented as one path per action, each with its own request body
            from workflows.definition import ACTIONS

            for action in ACTIONS:
                assert "post" in documented.get(f"/api/v1/cases/{{}}/actions/{action.name}",
                                                set()), action.name
        elif rule.rule.startswith("/api/v1"):
            path = re.sub(r"<[^<>]+>", "{}", rule.rule)
            methods = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
            assert methods <= documented.get(path, set()), f"{rule.rule} not documented"
    schemes = doc["components"]["securitySchemes"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            in_path = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert in_path == set(re.findall(r"{(\w+)}", path)), f"{method} {path}"
            assert operation["responses"] and all(re.fullmatch(r"[1-5]\d\d", code)
                                                  for code in operation["responses"])
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(schemes)
    refs = list(refs_in(doc))
    assert refs
    for ref in refs:
        resolve(doc, ref)


SAMPLES = {"string": "2026-01-05", "integer": 1, "boolean": True, "array": [1, 2]}
JSON_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list}


def minimal_body(schema: dict) -> dict:
    """The required fields of an action, each with a value of its type."""
    body = {}
    for name in schema.get("required", []):
        field = schema["properties"][name]
        body[name] = field["enum"][0] if "enum" in field else SAMPLES[field["type"]]
    return body


def accepts(schema: dict, body: dict) -> bool:
    """Enough JSON Schema for flat action bodies: required, no extra keys, type and enum."""
    if not set(schema.get("required", [])) <= set(body) <= set(schema["properties"]):
        return False
    return all(isinstance(value, JSON_TYPES[schema["properties"][key]["type"]])
               and value in schema["properties"][key].get("enum", [value])
               for key, value in body.items())


def test_openapi_documents_each_action_with_its_own_body(app):
    """Every action has its own path whose request schema accepts that action's valid body
    and nothing with extra keys (a validating client or proxy relies on it)."""
    from workflows.definition import ACTIONS

    doc = openapi(app)
    for action in ACTIONS:
        operation = doc["paths"][f"/api/v1/cases/{{case_id}}/actions/{action.name}"]["post"]
        (media_type, content), = operation["requestBody"]["content"].items()
        # files travel as multipart, everything else as JSON
        has_files = any(spec.kind == "files" for spec in action.fields)
        assert media_type == ("multipart/form-data" if has_files else "application/json")
        schema = resolve(doc, content["schema"]["$ref"])
        body = minimal_body(schema)
        assert accepts(schema, body), action.name
        assert not accepts(schema, {**body, "state": "closed"}), action.name
