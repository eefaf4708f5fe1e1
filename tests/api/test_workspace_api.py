"""The API's share of the workspace: allowed actions with the form fields the web page uses,
the search filters of GET /cases, and the OpenAPI document describing both."""
import re

import pytest
from sqlalchemy import select

from enforcement.cases.action_forms import field_choices
from enforcement.cases.intake import CaseData, PartyData, register_case
from enforcement.cases.models import Case
from enforcement.cases.services import allowed_actions
from enforcement.extensions import db
from enforcement.parties.identifiers import credit_code_check_char
from enforcement.parties.models import PartyKind
from tests.conftest import case_in_state, user
from tests.web import ApiUser, logged_in
from workflows.definition import ACTIONS, ACTIONS_BY_NAME

FIELD_RE = re.compile(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)(?:-\d+-[a-z_]+)?"')


def expected_field(spec, case=None) -> dict:
    """What a field must say, read straight from the workflow's Field spec (zh msgids)."""
    field = {"name": spec.name, "kind": spec.kind, "label": spec.label,
             "required": spec.required and spec.kind != "bool", "help": spec.help}
    if spec.kind == "choice":
        field["choices"] = [{"value": v, "label": label} for v, label in spec.choices]
    elif spec.kind in ("users", "unit", "document") and case is not None:
        field["choices"] = [{"value": v, "label": str(label)}
                            for v, label in field_choices(spec, case)]
    if spec.kind == "users":
        field["min_selected"] = int(spec.option or 1)
    if spec.kind in ("text", "textarea"):
        field["max_length"] = spec.max_length
    if spec.kind == "rows":
        field["columns"] = [expected_field(c, case) for c in spec.columns]
        field["min_rows"], field["max_rows"] = spec.min_rows, spec.max_rows
    return field


@pytest.mark.parametrize("username,state", [
    ("linhe_inspector1", "investigating"), ("linhe_unit_head", "registered"),
    ("linhe_head", "filing_review"), ("linhe_reviewer", "legal_review"),
    ("linhe_head", "decision_review"),
])
def test_allowed_actions_carry_the_form_fields_of_the_definition(app, username, state):
    case = case_in_state(state)
    expected = allowed_actions(case, user(username))
    body = ApiUser(app, username).case(case.id)
    assert [a["name"] for a in body["allowed_actions"]] == [a.name for a in expected]
    assert expected, "the demo case should offer this user something to do"
    for action in body["allowed_actions"]:
        spec = ACTIONS_BY_NAME[action["name"]]
        assert action["form"] == [expected_field(f, case) for f in spec.fields]
        assert action["path"] == f"/api/v1/cases/{case.id}/actions/{spec.name}"
        # (JSON objects are unordered: the form list carries the order)
        assert set(action["fields"]["properties"]) == {f.name for f in spec.fields}


def test_the_web_form_and_the_api_schema_name_the_same_fields(app):
    case = case_in_state("investigating")
    client = logged_in(app, "linhe_inspector1").client
    body = ApiUser(app, "linhe_inspector1").case(case.id)
    for action in body["allowed_actions"]:
        html = client.get(f"/cases/{case.id}/actions/{action['name']}").get_data(as_text=True)
        # the action's own form: the one carrying the case version
        form = next(f for f in re.findall(r"<form.*?</form>", html, re.S) if 'name="version"' in f)
        shown = set(FIELD_RE.findall(form)) - {"csrf_token", "version"}
        assert shown == {f["name"] for f in action["form"]}, action["name"]


def test_assignment_offers_the_units_credentialed_inspectors(app):
    case = case_in_state("registered")
    body = ApiUser(app, "linhe_unit_head").case(case.id)
    assign = next(a for a in body["allowed_actions"] if a["name"] == "assign")
    inspectors = next(f for f in assign["form"] if f["name"] == "inspectors")
    ids = {c["value"] for c in inspectors["choices"]}
    assert {user("linhe_inspector1").id, user("linhe_inspector2").id} <= ids
    assert user("wuyuan_inspector1").id not in ids
    assert inspectors["min_selected"] == 2 and inspectors["help"]
    assert set(assign["fields"]["properties"]["inspectors"]["items"]["enum"]) == ids


def test_row_fields_list_their_columns_in_the_openapi_document(app):
    rows = [(a, f) for a in ACTIONS for f in a.fields if f.kind == "rows"]
    document = ApiUser(app).get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for action, field in rows:
        items = schemas[f"Action_{action.name}"]["properties"][field.name]["items"]
        assert set(items["properties"]) == {c.name for c in field.columns}
    for action in ACTIONS:
        body = schemas[f"Action_{action.name}"]
        assert set(body["properties"]) == {f.name for f in action.fields}
    assert schemas["FormField"]["properties"]["kind"]["enum"]
    detail = schemas["CaseDetail"]["allOf"][1]["properties"]["allowed_actions"]
    assert detail["items"] == {"$ref": "#/components/schemas/AllowedAction"}


def test_case_list_accepts_the_search_filters(app):
    registrar = user("wuyuan_inspector1")
    code = "91150821MA0F00002"
    code += credit_code_check_char(code)
    foreign = register_case(registrar, registrar.unit, CaseData(
        cause="外单位接口测试", summary="测试。", district=registrar.unit.district,
        parties=[PartyData(PartyKind.organisation, "接口测试外单位商行", credit_code=code)])).id
    case = case_in_state("investigating")
    party = case.parties[0].party
    api = ApiUser(app, "linhe_inspector1")

    def ids(query):
        response = api.get(f"/api/v1/cases?{query}")
        assert response.status_code == 200, response.get_json()
        return {i["id"] for i in response.get_json()["items"]}

    assert case.id in ids(f"party={party.name}")
    assert case.id in ids(f"number={case.case_no}")
    assert case.id in ids(f"mark={case.marks[0].reg_no}&state=investigating")
    assert ids(f"credit_code={code}") == set() and ids("party=接口测试外单位") == set()
    supervisor = ApiUser(app, "supervisor")
    found = supervisor.get(f"/api/v1/cases?credit_code={code}").get_json()
    assert [i["id"] for i in found["items"]] == [foreign] and found["total"] == 1
    assert api.get("/api/v1/cases?page=0").status_code == 422

    parameters = {p["name"] for p in ApiUser(app).get("/api/v1/openapi.json").get_json()[
        "paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert parameters >= {"q", "number", "party", "credit_code", "mark", "state", "unit",
                          "inspector", "date_from", "date_to", "sort", "page"}
    assert db.session.scalar(select(Case.unit_id).where(Case.id == foreign)) != case.unit_id
