"""The OpenAPI 3.1 description of the API, drawn from the workflow definition."""
from flask_babel import gettext as _

from enforcement.api.serializers import body_schema
from workflows.definition import ACTIONS, ACTIONS_BY_NAME
from workflows.spec import FIELD_KINDS
from workflows.states import CaseState, Stage


def _action_body(action) -> dict:
    """The request body of an action: the JSON schema the case page's form is built from
    (per-case choices such as the unit's inspectors are listed in GET /cases/{id})."""
    return body_schema(action)


#: one field as the web form shows it (``allowed_actions[].form`` of GET /cases/{id})
FORM_FIELD = {"type": "object", "required": ["name", "kind", "label", "required"], "properties": {
    "name": {"type": "string"},
    "kind": {"type": "string", "enum": sorted(FIELD_KINDS)},
    "label": {"type": "string"}, "required": {"type": "boolean"}, "help": {"type": "string"},
    "choices": {"type": "array", "items": {"type": "object", "properties": {
        "value": {"type": ["string", "integer"]}, "label": {"type": "string"}}}},
    "min_selected": {"type": "integer"}, "max_length": {"type": "integer"},
    "columns": {"type": "array", "items": {"$ref": "#/components/schemas/FormField"}},
    "min_rows": {"type": "integer"}, "max_rows": {"type": "integer"}}}
ALLOWED_ACTION = {"type": "object", "properties": {
    "name": {"type": "string"}, "label": {"type": "string"}, "basis": {"type": "string"},
    "tone": {"type": "string"}, "method": {"type": "string"}, "path": {"type": "string"},
    "content_type": {"type": "string"},
    "fields": {"type": "object", "description": "JSON schema of the request body"},
    "form": {"type": "array", "items": {"$ref": "#/components/schemas/FormField"}}}}
#: the search filters of GET /api/v1/cases (the same as the web search page)
SEARCH_PARAMETERS = [
    ("q", "string", None, "number, cause or party name (part of)"),
    ("number", "string", None, "登记编号 or 立案编号 (part of)"),
    ("party", "string", None, "party name (part of)"),
    ("credit_code", "string", None, "统一社会信用代码 or ID number (exact)"),
    ("mark", "string", None, "mark name (part of) or registration number (exact)"),
    ("state", "string", None, "a case state"),
    ("stage", "string", None, "a stage"),
    ("unit", "integer", None, "handling unit id (within the user's jurisdiction)"),
    ("inspector", "integer", None, "inspector user id"),
    ("date_from", "string", "date", "registered on or after (China time)"),
    ("date_to", "string", "date", "registered on or before (China time)"),
    ("mine", "string", None, "1: only cases the user handles"),
    ("sort", "string", None, "updated | created | oldest | number | state"),
    ("page", "integer", None, "page number, from 1"),
]


def _search_parameters() -> list[dict]:
    params = []
    for name, kind, fmt, description in SEARCH_PARAMETERS:
        schema = {"type": kind}
        if fmt:
            schema["format"] = fmt
        if name == "sort":
            schema["enum"] = ["updated", "created", "oldest", "number", "state"]
        if name == "page":
            schema["minimum"] = 1
        params.append({"name": name, "in": "query", "required": False,
                       "description": description, "schema": schema})
    return params


def _error_response(description):
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _body_type(action) -> str:
    """Actions that carry files are sent as multipart; all others as JSON."""
    if any(spec.kind == "files" for spec in action.fields):
        return "multipart/form-data"
    return "application/json"


#: RFC 7240: an integration that only needs to know the action was taken asks for less
PREFER = {"name": "Prefer", "in": "header", "required": False,
          "description": "return=minimal: answer with what the action did (ActionResult) "
          "instead of the whole case (CaseDetail, the default)",
          "schema": {"type": "string", "enum": ["return=minimal", "return=representation"]}}

ACTION_RESULT = {"type": "object", "required": ["id", "state", "version", "event"],
                 "properties": {
                     "id": {"type": "integer"},
                     "state": {"type": "string", "enum": [s.value for s in CaseState]},
                     "version": {"type": "integer"},
                     "event": {"type": "object", "properties": {
                         "id": {"type": "integer"}, "action": {"type": "string"},
                         "at": {"type": "string", "format": "date-time"}}},
                     "documents": {"type": "array", "items": {"type": "object"}},
                     "links": {"type": "object"}}}


def _action_path(action, case_id, errors) -> dict:
    """One path per action, so that each request body has exactly one schema."""
    return {"post": {
        "summary": f"{_(action.label)} ({action.name})",
        "operationId": f"action_{action.name}",
        "security": [{"bearer": []}],
        "parameters": [case_id,
                       {"name": "If-Match", "in": "header", "required": True,
                        "description": "the case version the client saw, e.g. \"3\"",
                        "schema": {"type": "string"}},
                       PREFER],
        "requestBody": {"required": True, "content": {_body_type(action): {"schema": {
            "$ref": f"#/components/schemas/Action_{action.name}"}}}},
        "responses": {"200": {"description": "the case after the action; with Prefer: "
                              "return=minimal only what the action did (ActionResult)",
                              "content": {"application/json": {"schema": {"oneOf": [
                                  {"$ref": "#/components/schemas/CaseDetail"},
                                  {"$ref": "#/components/schemas/ActionResult"}]}}}},
                      **errors,
                      "409": _error_response("refused by state or guard, or stale"),
                      "412": _error_response("malformed If-Match"),
                      "422": _error_response("invalid fields, per field"),
                      "428": _error_response("If-Match missing")}}}


def _evidence_path(case_id, errors) -> dict:
    """DESIGN §10's upload path: the record_evidence action under its own operation id."""
    path = _action_path(ACTIONS_BY_NAME["record_evidence"], case_id, errors)
    path["post"]["operationId"] = "upload_evidence"
    return path


def _document_paths(errors) -> dict:
    """GET /api/v1/documents/{id} and the public GET /verify/{code} (DESIGN §10)."""
    document_id = {"name": "document_id", "in": "path", "required": True,
                   "schema": {"type": "integer"}}
    code = {"name": "code", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": "^[A-Z2-7]{24}$"}}
    pdf = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    html = {"text/html": {"schema": {"type": "string"}}}  # the page, unless Accept asks JSON
    return {
        "/api/v1/documents/{document_id}": {"get": {
            "summary": "A document's metadata, or its PDF (Accept: application/pdf or "
                       "?format=pdf); jurisdiction as for the case, every download audited",
            "operationId": "get_document",
            "security": [{"bearer": []}],
            "parameters": [document_id, {"name": "format", "in": "query", "required": False,
                                         "schema": {"type": "string", "enum": ["pdf"]}}],
            "responses": {"200": {
                "description": "metadata (JSON) or the PDF as issued (ETag: its SHA-256)",
                "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/DocumentMetadata"}}, **pdf}},
                **errors}}},
        "/verify/{code}": {"get": {
            "summary": "Public verification of a document (JSON with Accept: "
                       "application/json; an HTML page otherwise)",
            "operationId": "verify_document",
            "parameters": [code],
            "responses": {"200": {"description": "what the issuer vouches for",
                                  "content": {"application/json": {"schema": {
                                      "$ref": "#/components/schemas/DocumentVerification"}},
                                      **html}},
                          "404": {**_error_response("no document has this code"),
                                  "content": {**_error_response("")["content"], **html}}}}},
    }


def _packet_paths(errors) -> dict:
    """GET /api/v1/referrals/{id}/packet and the public key that verifies packets (DESIGN §5)."""
    referral_id = {"name": "referral_id", "in": "path", "required": True,
                   "schema": {"type": "integer"}}
    return {
        "/api/v1/referrals/{referral_id}/packet": {"get": {
            "summary": "The referral's packet: a stored ZIP streamed as it is built, with "
                       "manifest.json (every file's path, size, SHA-256) and manifest.sig "
                       "(raw Ed25519 signature over manifest.json); for the receiving police "
                       "unit or court, the procuratorate copied and the handling bureau; "
                       "every download recorded",
            "operationId": "get_referral_packet",
            "security": [{"bearer": []}],
            "parameters": [referral_id],
            "responses": {"200": {
                "description": "the packet (X-Packet-Build: the download's record id)",
                "content": {"application/zip": {"schema": {"type": "string",
                                                           "format": "binary"}}}},
                "401": errors["401"],
                "404": _error_response("no such referral, or not addressed to the user")}}},
        "/packets/public-key.pem": {"get": {
            "summary": "The Ed25519 public key that verifies packets (X-Key-Id: its key id)",
            "operationId": "packet_public_key",
            "responses": {"200": {"description": "SubjectPublicKeyInfo PEM", "content": {
                "application/x-pem-file": {"schema": {"type": "string"}}}}}}},
    }


DOCUMENT_SCHEMAS = {
    "DocumentMetadata": {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_id": {"type": "integer"},
        "type": {"type": "string"}, "title": {"type": "string"},
        "number": {"type": ["string", "null"]}, "issuer": {"type": "string"},
        "issued_at": {"type": "string", "format": "date-time"},
        "issued_on": {"type": "string", "format": "date"},
        "issued_by": {"type": ["string", "null"]}, "template_version": {"type": "string"},
        "sha256": {"type": ["string", "null"]}, "pages": {"type": ["integer", "null"]},
        "requires_service": {"type": "boolean"},
        "served_on": {"type": ["string", "null"], "format": "date"},
        "revoked": {"type": "boolean"},
        "revoked_at": {"type": ["string", "null"], "format": "date-time"},
        "revoked_reason": {"type": ["string", "null"]},
        "corrects_id": {"type": ["integer", "null"]},
        "verify_url": {"type": "string"}, "pdf_url": {"type": ["string", "null"]}}},
    "DocumentVerification": {"type": "object", "properties": {
        "code": {"type": "string"}, "number": {"type": ["string", "null"]},
        "type": {"type": "string"}, "title": {"type": "string"}, "issuer": {"type": "string"},
        "issued_on": {"type": "string", "format": "date"},
        "sha256": {"type": ["string", "null"]}, "pages": {"type": ["integer", "null"]},
        "revoked": {"type": "boolean"},
        "revoked_on": {"type": ["string", "null"], "format": "date"},
        "corrected_by": {"type": ["object", "null"]}}},
}


def _report_paths() -> dict:
    from enforcement.api.reports import openapi_paths  # routes module imports this one

    return openapi_paths()


def _publicity_paths() -> dict:
    from enforcement.publicity.api import openapi_paths  # routes module imports this one

    return openapi_paths()


def _referral_paths() -> dict:
    from enforcement.referrals.api import openapi_paths  # routes module imports this one

    return openapi_paths()


def _stats_paths() -> dict:
    from enforcement.campaigns.api import openapi_paths  # routes module imports this one

    return openapi_paths()


#: what every case in the API carries; a case's detail (CaseDetail) carries more, and so is
#: never mistaken for what an action did (ActionResult, of Prefer: return=minimal)
CASE_SUMMARY_KEYS = ["id", "report_no", "case_no", "state", "state_label", "stage", "version",
                     "unit", "cause", "updated_at"]
CASE_DETAIL_KEYS = ["allowed_actions", "deadlines", "documents", "timeline"]


def openapi_document() -> dict:
    document = _document()
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"].setdefault("400", BAD_REQUEST)
    return document


#: every operation: the input guard (enforcement.inputs) refuses a NUL character anywhere,
#: and a multipart part without a name
BAD_REQUEST = _error_response("malformed request: a NUL character (\\0) in the path, query, "
                              "a header or the body (code nul_character); a multipart part "
                              "without a name (code nameless_part)")


def _document() -> dict:
    errors = {
        "401": _error_response("missing or invalid bearer token"),
        "403": _error_response("permission or jurisdiction refused"),
        "404": _error_response("no such case, or not visible to the user"),
    }
    case_id = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "商标侵权执法办案系统 API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                                   "fields": {"type": "object"},
                                   "reasons": {"type": "array",
                                               "items": {"type": "string"}}}}}},
                "CaseSummary": {"type": "object", "required": CASE_SUMMARY_KEYS, "properties": {
                    "id": {"type": "integer"}, "report_no": {"type": "string"},
                    "case_no": {"type": ["string", "null"]},
                    "state": {"type": "string", "enum": [s.value for s in CaseState]},
                    "stage": {"type": ["string", "null"],
                              "enum": [s.value for s in Stage] + [None]},
                    "version": {"type": "integer"}, "unit": {"type": "string"},
                    "cause": {"type": "string"}, "state_label": {"type": "string"},
                    "updated_at": {"type": "string", "format": "date-time"}}},
                "CaseDetail": {"allOf": [{"$ref": "#/components/schemas/CaseSummary"}, {
                    "type": "object", "required": CASE_DETAIL_KEYS, "properties": {
                        "allowed_actions": {"type": "array", "items": {
                            "$ref": "#/components/schemas/AllowedAction"}},
                        "deadlines": {"type": "array", "items": {"type": "object"}},
                        "documents": {"type": "array", "items": {"type": "object"}},
                        "timeline": {"type": "array", "items": {"type": "object"}}}}]},
                "ActionResult": ACTION_RESULT,
                "FormField": FORM_FIELD,
                "AllowedAction": ALLOWED_ACTION,
                **{f"Action_{a.name}": _action_body(a) for a in ACTIONS},
                **DOCUMENT_SCHEMAS,
            },
        },
        "paths": {
            "/api/v1/auth/token": {"post": {
                "summary": "Exchange username and password for a bearer token",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["username", "password"],
                    "properties": {"username": {"type": "string"},
                                   "password": {"type": "string"},
                                   "totp": {"type": "string", "description":
                                            "the current 6-digit code, for users with "
                                            "two-step verification (两步验证)"}}}}}},
                "responses": {"200": {"description": "token", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "token": {"type": "string"}, "token_type": {"type": "string"},
                        "expires_at": {"type": "string", "format": "date-time"}}}}}},
                    "401": _error_response("wrong credentials, missing or wrong totp code, "
                                           "or account locked"),
                    "422": _error_response("malformed body")}}},
            "/api/v1/cases": {"get": {
                "summary": "Cases in the user's jurisdiction",
                "security": [{"bearer": []}],
                "parameters": _search_parameters(),
                "responses": {"200": {"description": "one page of cases", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "items": {"type": "array",
                                  "items": {"$ref": "#/components/schemas/CaseSummary"}},
                        "total": {"type": "integer"}, "page": {"type": "integer"},
                        "page_size": {"type": "integer"}}}}}},
                    "401": errors["401"], "422": _error_response("bad query")}}},
            "/api/v1/cases/{case_id}": {"get": {
                "summary": "A case: state, version, deadlines, allowed actions, timeline",
                "security": [{"bearer": []}], "parameters": [case_id],
                "responses": {"200": {"description": "the case (ETag: its version)",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/CaseDetail"}}}},
                              **errors}}},
            **{f"/api/v1/cases/{{case_id}}/actions/{a.name}": _action_path(a, case_id, errors)
               for a in ACTIONS},
            "/api/v1/cases/{case_id}/evidence": _evidence_path(case_id, errors),
            **_document_paths(errors),
            **_packet_paths(errors),
            **_report_paths(),
            **_publicity_paths(),
            **_referral_paths(),
            **_stats_paths(),
            "/api/v1/openapi.json": {"get": {"summary": "This document",
                                             "responses": {"200": {"description": "OpenAPI"}}}},
        },
    }
