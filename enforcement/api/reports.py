"""The public report API (DESIGN §10): file a report, follow it with its access code."""
import json

from flask import jsonify, request
from flask_babel import gettext as _

from enforcement.api.views import bp, error
from enforcement.auth import services as auth
from enforcement.errors import DomainError, Invalid
from enforcement.inputs import refuse_nul
from enforcement.query_args import MAX_INT
from enforcement.reports import limits, services
from enforcement.reports.status import report_status

#: the longest Idempotency-Key accepted (the stored key adds a prefix)
MAX_KEY = 80


def _optional_user():
    """Public endpoints: a bearer token, when sent, files as that account."""
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw:
        return None
    user = auth.user_for_token(raw.strip())
    if user is None:
        raise BadToken()
    return user


class BadToken(DomainError):
    """A token was sent but is not valid: refused rather than filed anonymously."""

    status = 401
    code = "unauthorized"

    def message(self):
        return _("需要有效的访问令牌")


def _submission() -> tuple[object, list]:
    """The report JSON and the files: a JSON body, or multipart with a ``report`` part."""
    if request.mimetype == "multipart/form-data":
        raw = request.form.get("report")
        if raw is None and "report" in request.files:
            raw = request.files["report"].read().decode("utf-8", "replace")
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if body is None:
            raise Invalid({"report": [_("multipart 请求须在 report 部分提交举报 JSON")]})
        files = [f for name in request.files for f in request.files.getlist(name)
                 if name != "report"]
        refuse_nul(body)  # the JSON guard saw none of it (file names: GuardedRequest)
        return body, files
    body = request.get_json(silent=True)
    if body is None:
        raise Invalid({"_body": [_("请求体必须是 JSON 对象")]})
    return body, []


@bp.post("/reports")
def file_report():
    limits.hit("report_file")
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_KEY:
        raise Invalid({"Idempotency-Key": [_("Idempotency-Key 不能超过%(n)d个字符", n=MAX_KEY)]})
    user = _optional_user()
    body, files = _submission()
    filed = services.file_report(body, submitted_by=user, ip=request.remote_addr, files=files,
                                 idempotency_key=f"api:{user.id if user else '-'}:{key}"
                                 if key else None)
    report = filed.report
    # registered at once (201), or received and waiting for the registration worker (202)
    response = jsonify({"tracking_no": report.tracking_no,
                        "access_code": services.format_code(filed.access_code),
                        "status": report.case.state.value if report.registered else "received"})
    response.status_code = 200 if not filed.created else 201 if report.registered else 202
    if not filed.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/reports/<tracking_no>")
def report_status_api(tracking_no):
    limits.hit("report_status")
    report = services.look_up(tracking_no[:32], request.args.get("access_code", "")[:40],
                              ip=request.remote_addr, via="api")
    if report is None:
        limits.hit("report_status", f"fail:{tracking_no[:32].upper()}")
        return error(404, "not_found", _("登记编号或查询码不正确"))
    status = report_status(report)
    return jsonify({
        "tracking_no": status.tracking_no,
        "status": report.case.state.value if report.registered else "received",
        "stage": status.stage, "explanation": status.explanation,
        "registered_on": status.registered_on.isoformat(), "linked": status.linked,
        "verification_due": status.verification_due.isoformat()
        if status.verification_due else None,
        "filing_decided_on": status.filing_decided_on.isoformat()
        if status.filing_decided_on else None,
        "filed": status.filed, "owed": status.owed})




def openapi_paths() -> dict:
    """The two report paths of the OpenAPI document (enforcement.api.openapi)."""
    text = {"type": "string"}
    optional_text = {"type": ["string", "null"]}
    report = {"type": "object", "required": ["trademark", "infringer", "description"],
              "properties": {
                  "trademark": {"type": "object", "description": "registration_no, or a "
                                "name found once in the registry",
                                "properties": {"registration_no": text, "name": text}},
                  "infringer": {"type": "object", "required": ["name", "district"],
                                "properties": {
                                    "name": text, "credit_code": optional_text,
                                    "id_number": optional_text, "address": optional_text,
                                    "district": {"type": "string", "description":
                                                 "district code of the act, or of the seller's "
                                                 "place of business for online sales; "
                                                 "'unknown' for the city bureau"},
                                    "shop_url": optional_text,
                                    "seller_account": optional_text}},
                  "description": text,
                  "found_on": {"type": ["string", "null"], "format": "date"},
                  "location": {"type": ["string", "null"],
                               "description": "required unless shop_url or seller_account"},
                  "goods": {"type": "array", "maxItems": 20, "items": {
                      "type": "object", "properties": {"name": text, "quantity": {
                          "type": ["string", "number", "null"]}, "unit": text}}},
                  "reporter": {"type": "object", "properties": {
                      "name": text, "phone": text, "email": text,
                      "anonymous": {"type": "boolean"}}},
                  "principal": {"type": "object", "description": "stations: the farmer or "
                                "cooperative reported for", "properties": {
                                    "name": text, "contact": text}},
                  "mandate_id": {"type": "integer", "minimum": 1, "maximum": MAX_INT,
                                 "description": "agents: the mandate (授权委托书) filed under"}}}
    receipt = {"type": "object", "properties": {
        "tracking_no": text, "access_code": {"type": "string", "description": "shown once"},
        "status": text}}
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "/api/v1/reports": {"post": {
            "summary": "File a report (public; a bearer token files as that account)",
            "operationId": "file_report", "security": [{}, {"bearer": []}],
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "maxLength": MAX_KEY}}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": report},
                "multipart/form-data": {"schema": {
                    "type": "object", "required": ["report"], "properties": {
                        "report": {"type": "string", "description": "the report JSON"},
                        "evidence": {"type": "array", "items": {
                            "type": "string", "format": "binary"}}}}}}},
            "responses": {
                "201": {"description": "received and registered: status is the case's "
                        "state", "content": {"application/json": {"schema": receipt}}},
                "202": {"description": "received; registered shortly by the registration "
                        "worker (status \"received\"); the status endpoint registers it on "
                        "demand", "content": {"application/json": {"schema": receipt}}},
                "200": {"description": "a retry with the same Idempotency-Key and content: "
                        "the first answer (header Idempotent-Replayed)",
                        "content": {"application/json": {"schema": receipt}}},
                "413": {"description": "a file over 20 MB or the files together over the "
                        "report limit", **err},
                "422": {"description": "errors keyed by field path, e.g. "
                        "infringer.credit_code", **err},
                "429": {"description": "too many requests from this address "
                        "(Retry-After)", **err}}}},
        "/api/v1/reports/{tracking_no}": {"get": {
            "summary": "A report's status for its reporter",
            "operationId": "report_status", "security": [{}],
            "parameters": [
                {"name": "tracking_no", "in": "path", "required": True, "schema": text},
                {"name": "access_code", "in": "query", "required": True, "schema": text}],
            "responses": {
                "200": {"description": "stage in plain words, dates, what is owed"},
                "404": {"description": "wrong number or wrong code (indistinguishable)",
                        **err},
                "429": {"description": "too many lookups (Retry-After)", **err}}}},
    }
