"""API endpoints: thin translations between HTTP and the services."""
from functools import wraps

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.datastructures import CombinedMultiDict

from enforcement.api import serializers
from enforcement.api.openapi import openapi_document
from enforcement.auth import services as auth
from enforcement.auth import totp
from enforcement.cases import queries, services
from enforcement.cases.action_forms import json_to_formdata
from enforcement.cases.presenters import page_loads
from enforcement.documents import services as documents
from enforcement.documents.presenters import document_metadata
from enforcement.documents.views import pdf_response
from enforcement.errors import DomainError, Invalid, Refused
from enforcement.query_args import bounded_int
from workflows.engine import Refusal
from workflows.spec import N_

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return response


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    extra = {}
    if isinstance(exc, Invalid):
        extra["fields"] = exc.errors
    if hasattr(exc, "reasons"):
        extra["reasons"] = exc.reasons()
    return error(exc.status, exc.code, exc.message(), **extra)


@bp.errorhandler(404)
def _not_found(exc):
    return error(404, "not_found", _("未找到该记录，或您无权查看"))


@bp.errorhandler(405)
def _method_not_allowed(exc):
    return error(405, "method_not_allowed", _("不支持该请求方法"))


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, raw = header.partition(" ")
        user = auth.user_for_token(raw.strip()) if scheme.lower() == "bearer" and raw else None
        if user is None:
            response = error(401, "unauthorized", _("需要有效的访问令牌"))
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid({"_body": [_("请求体必须是 JSON 对象")]})
    return body


@bp.post("/auth/token")
def token():
    body = _json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise Invalid({"username": [_("请填写用户名和密码")]})
    # a user with a second factor also sends "totp", the current code (auth.totp)
    user = totp.authenticate_api(username, password, body.get("totp"), ip=request.remote_addr)
    raw, api_token = auth.issue_token(user, ip=request.remote_addr)
    return jsonify({"token": raw, "token_type": "Bearer",
                    "expires_at": api_token.expires_at.isoformat()})


def _case_file_reader_only():
    """Portal accounts follow their reports through /reports/{tracking_no}, never the bureau's
    case file (a rights holder must not read the other party's particulars or internal notes)."""
    if not queries.reads_case_file(g.api_user):
        raise Refused([Refusal("permission",
                               N_("权利人、代理机构和指导站请通过举报查询查看办理进展"))])


@bp.get("/cases")
@token_required
def list_cases():
    try:
        page = bounded_int(request.args.get("page", "1"))
    except ValueError:
        raise Invalid({"page": [_("页码必须是整数")]}) from None
    if page < 1:
        raise Invalid({"page": [_("页码必须是正整数")]})
    _case_file_reader_only()
    filters = queries.filters_from_args(request.args)  # the web search page's filters
    rows, total = queries.list_cases(g.api_user, filters)
    return jsonify({"items": [serializers.case_summary(c) for c in rows], "total": total,
                    "page": filters.page, "page_size": queries.PAGE_SIZE})


@bp.get("/cases/<int:case_id>")
@token_required
def get_case(case_id):
    _case_file_reader_only()
    case = services.load_case(case_id, g.api_user, ip=request.remote_addr,
                              options=page_loads())
    response = jsonify(serializers.case_detail(case, g.api_user))
    response.headers["ETag"] = f'"{case.version}"'
    return response


@bp.post("/cases/<int:case_id>/actions/<name>")
@token_required
def take_action(case_id, name):
    return _perform_action(case_id, name)


@bp.post("/cases/<int:case_id>/evidence")
@token_required
def upload_evidence(case_id):
    """DESIGN §10's evidence upload: the ``record_evidence`` action, as multipart."""
    return _perform_action(case_id, "record_evidence")


def _perform_action(case_id, name):
    raw = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not raw:
        return error(428, "version_required", _("请在 If-Match 请求头中提供案件版本号"))
    try:
        version = int(raw)
    except ValueError:
        return error(412, "bad_version", _("If-Match 中的版本号无效"))
    if request.mimetype == "multipart/form-data":  # actions with files (evidence)
        _reject_unknown_fields(name, {**request.form, **request.files})
        formdata = CombinedMultiDict([request.files, request.form])
    else:
        body = _json_body()
        _reject_unknown_fields(name, body)
        formdata = json_to_formdata(body)
    outcome = services.perform(case_id, name, g.api_user, formdata,
                               expected_version=version, ip=request.remote_addr)
    if _prefers_minimal():
        response = jsonify(serializers.action_result(outcome))
        response.headers["Preference-Applied"] = "return=minimal"
    else:
        response = jsonify(serializers.case_detail(outcome.case, g.api_user))
    response.headers["ETag"] = f'"{outcome.case.version}"'
    response.vary.add("Prefer")
    return response


def _prefers_minimal() -> bool:
    """RFC 7240 ``Prefer: return=minimal``: the caller reads the case itself if it needs to."""
    preferences = {p.strip().lower() for part in request.headers.getlist("Prefer")
                   for p in part.split(",")}
    return "return=minimal" in preferences


def _reject_unknown_fields(name, body):
    from workflows.engine import UnknownAction, get_action

    try:
        known = {spec.name for spec in get_action(name).fields}
    except UnknownAction:
        return  # the service answers 404
    unknown = sorted(set(body) - known)
    if unknown:
        raise Invalid({key: [_("此操作不接受该字段")] for key in unknown})


@bp.get("/documents/<int:document_id>")
@token_required
def get_document(document_id):
    """A document's metadata; its PDF with ``Accept: application/pdf`` or ``?format=pdf``."""
    wants_pdf = request.args.get("format") == "pdf" or request.accept_mimetypes.best_match(
        ["application/json", "application/pdf"]) == "application/pdf"
    if wants_pdf:
        document, pdf = documents.download(document_id, g.api_user, ip=request.remote_addr,
                                           via="api")
        return pdf_response(document, pdf)
    document = documents.readable_document(document_id, g.api_user, ip=request.remote_addr)
    response = jsonify(document_metadata(document))
    response.headers["ETag"] = f'"{document.sha256}"'
    return response


@bp.get("/referrals/<int:referral_id>/packet")
@token_required
def get_referral_packet(referral_id):
    """The referral's signed packet (ZIP), streamed; every download recorded (packets)."""
    from enforcement.packets import services as packets
    from enforcement.packets.views import packet_response

    packet = packets.start_download(referral_id, g.api_user, ip=request.remote_addr, via="api")
    return packet_response(packet)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
