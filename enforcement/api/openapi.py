"""The OpenAPI 3.1 description of the API, drawn from the workflow definition."""
from flask_babel import gettext as _

from enforcement.cases.action_forms import JSON_TYPES
from workflows.definition import ACTIONS, ACTIONS_BY_NAME
from workflows.states import CaseState, Stage


def _action_body(action) -> dict:
    properties = {}
    for spec in action.fields:
        schema = {**JSON_TYPES[spec.kind], "title": _(spec.label)}
        if spec.kind == "choice":
            schema["enum"] = [value for value, _label in spec.choices]
        if spec.kind in ("text", "textarea"):
            schema["maxLength"] = spec.max_length
        properties[spec.name] = schema
    required = [s.name for s in action.fields if s.required and s.kind != "bool"]
    body = {"type": "object", "title": _(action.label), "properties": properties,
            "additionalProperties": False}
    if required:
        body["required"] = required
    return body


def _error_response(description):
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _body_type(action) -> str:
    """Actions that carry files are sent as multipart; all others as JSON."""
    if any(spec.kind == "files" for spec in action.fields):
        return "multipart/form-data"
    return "application/json"


def _action_path(action, case_id, errors) -> dict:
    """One path per action, so that each request body has exactly one schema."""
    return {"post": {
        "summary": f"{_(action.label)} ({action.name})",
        "operationId": f"action_{action.name}",
        "security": [{"bearer": []}],
        "parameters": [case_id,
                       {"name": "If-Match", "in": "header", "required": True,
                        "description": "the case version the client saw, e.g. \"3\"",
                        "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {_body_type(action): {"schema": {
            "$ref": f"#/components/schemas/Action_{action.name}"}}}},
        "responses": {"200": {"description": "the case after the action",
                              "content": {"application/json": {"schema": {
                                  "$ref": "#/components/schemas/CaseDetail"}}}},
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
                                      "$ref": "#/components/schemas/DocumentVerification"}}}},
                          "404": _error_response("no document has this code")}}},
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


def openapi_document() -> dict:
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
                "CaseSummary": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "report_no": {"type": "string"},
                    "case_no": {"type": ["string", "null"]},
                    "state": {"type": "string", "enum": [s.value for s in CaseState]},
                    "stage": {"type": ["string", "null"],
                              "enum": [s.value for s in Stage] + [None]},
                    "version": {"type": "integer"}, "unit": {"type": "string"},
                    "cause": {"type": "string"}}},
                "CaseDetail": {"allOf": [{"$ref": "#/components/schemas/CaseSummary"}, {
                    "type": "object", "properties": {
                        "allowed_actions": {"type": "array", "items": {"type": "object"}},
                        "deadlines": {"type": "array", "items": {"type": "object"}},
                        "documents": {"type": "array", "items": {"type": "object"}},
                        "timeline": {"type": "array", "items": {"type": "object"}}}}]},
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
                                   "password": {"type": "string"}}}}}},
                "responses": {"200": {"description": "token", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "token": {"type": "string"}, "token_type": {"type": "string"},
                        "expires_at": {"type": "string", "format": "date-time"}}}}}},
                    "401": _error_response("wrong credentials or account locked"),
                    "422": _error_response("malformed body")}}},
            "/api/v1/cases": {"get": {
                "summary": "Cases in the user's jurisdiction",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": n, "in": "query", "schema": {"type": "string"}}
                    for n in ("q", "state", "stage", "sort")
                ] + [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"description": "one page of cases", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "items": {"type": "array",
                                  "items": {"$ref": "#/components/schemas/CaseSummary"}},
                        "total": {"type": "integer"}, "page": {"type": "integer"}}}}}},
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
            "/api/v1/openapi.json": {"get": {"summary": "This document",
                                             "responses": {"200": {"description": "OpenAPI"}}}},
        },
    }
