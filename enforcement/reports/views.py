"""The public portal: home, the report form, the receipt, the status check, mark search."""
import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.exceptions import RequestEntityTooLarge

from enforcement.errors import Invalid, Refused
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.reports import limits, services
from enforcement.reports.models import Report
from enforcement.reports.routing import district_choices
from enforcement.reports.status import STEPS, report_status
from enforcement.reports.validation import MAX_GOODS

bp = Blueprint("reports", __name__, url_prefix="/portal")

#: goods rows the form starts with; report.js adds more
GOODS_ROWS = 3


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.route("/")
def home():
    return render_template("reports/home.html", penalties_url=_penalties_url())


def _penalties_url() -> str | None:
    """The public list of published penalties, once a page for it exists (issue 8)."""
    for endpoint in ("publicity.index", "publicity.penalties", "public.penalties"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return None


# -- the report form -------------------------------------------------------------------------


def form_to_payload(form) -> dict:
    """The web form (``infringer-name``, ``goods-0-name``...) in the API's JSON shape."""
    def text(name):
        return form.get(name, "")

    def section(prefix, keys):
        return {key: text(f"{prefix}-{key}") for key in keys if text(f"{prefix}-{key}")}

    payload = {
        "trademark": section("trademark", ("registration_no", "name")),
        "infringer": section("infringer", ("name", "credit_code", "id_number", "address",
                                           "district", "shop_url", "seller_account")),
        "description": text("description"), "found_on": text("found_on"),
        "location": text("location"),
        "goods": [{key: text(f"goods-{i}-{key}") for key in ("name", "quantity", "unit")}
                  for i in range(MAX_GOODS + 1) if f"goods-{i}-name" in form],
        "reporter": {**section("reporter", ("name", "phone", "email")),
                     "anonymous": form.get("reporter-anonymous") == "1"},
    }
    principal = section("principal", ("name", "contact"))
    if principal:
        payload["principal"] = principal
    if form.get("mandate_id", "").isdigit():
        payload["mandate_id"] = int(form["mandate_id"])
    return payload


def _form_page(values=None, errors=None, status=200):
    user = _user()
    values = dict(values or {})
    values.setdefault("form_token", secrets.token_urlsafe(24))
    goods_rows = max(GOODS_ROWS, 1 + max((int(k.split("-")[1]) for k in values
                                          if k.startswith("goods-") and values[k]),
                                         default=-1))
    mandates = []
    if user is not None:
        from enforcement.accounts.services import usable_mandates

        mandates = usable_mandates(user)
    if user is not None and not values.get("reporter-name") and not errors:
        values["reporter-name"] = user.full_name
        values["reporter-phone"] = user.phone or ""
        values["reporter-email"] = user.email or ""
    station = user is not None and services.is_station(user)
    return render_template("reports/form.html", values=values, errors=errors or {},
                           districts=district_choices(), goods_rows=min(goods_rows, MAX_GOODS),
                           mandates=mandates, station=station, user=user), status


@bp.route("/report", methods=["GET"])
def new_report():
    return _form_page()[0]


@bp.route("/report", methods=["POST"])
def submit_report():
    limits.hit("report_file")
    user = _user()
    values = request.form.to_dict()
    token = values.get("form_token", "")
    # one report per form token and submitter (a double click, a reload of the POST)
    key = f"form:{user.id if user else '-'}:{token}" if 16 <= len(token) <= 64 else None
    try:
        filed = services.file_report(form_to_payload(request.form), submitted_by=user,
                                     ip=request.remote_addr,
                                     files=request.files.getlist("evidence"),
                                     idempotency_key=key)
    except Invalid as exc:
        return _form_page(values, exc.errors, exc.status)  # 422; 507 when the disk is full
    except Refused as exc:
        return _form_page(values, {"_form": exc.reasons()}, 403)
    except services.KeyReused:
        values.pop("form_token", None)  # a fresh token: the user meant a second report
        return _form_page(values, {"_form": [_("表单已提交过，请核对后重新提交")]}, 409)
    session["receipt"] = {"id": filed.report.id, "code": filed.access_code}
    return redirect(url_for("reports.receipt"), code=303)


def _receipt_in_session() -> tuple[Report, str]:
    held = session.get("receipt")
    report = db.session.get(Report, held["id"]) if isinstance(held, dict) else None
    if report is None or not services.code_matches(report, held.get("code")):
        abort(404)
    return report, held["code"]


@bp.route("/report/receipt")
def receipt():
    report, code = _receipt_in_session()
    services.registered_if_possible(report)
    return render_template("reports/receipt.html", report=report,
                           access_code=services.format_code(code),
                           status=report_status(report))


@bp.route("/report/receipt.pdf")
def receipt_pdf():
    report, code = _receipt_in_session()
    if services.registered_if_possible(report).case is None:
        # the receipt is issued at registration; the report is safe and will be registered
        abort(503, _("举报已收到，回执正在生成，请稍后再下载"))
    pdf = services.receipt_pdf(report, code)
    from enforcement.audit import services as audit

    audit.record("report.receipt_download", obj_type="report", obj_id=report.id,
                 unit_id=report.case.unit_id, ip=request.remote_addr)
    db.session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="receipt-{report.tracking_no}.pdf"')
    return response


# -- status ----------------------------------------------------------------------------------


@bp.route("/status", methods=["GET", "POST"])
def status():
    if request.method == "GET":
        return render_template("reports/status.html", values={}, status=None, steps=STEPS)
    limits.hit("report_status")
    tracking_no = request.form.get("tracking_no", "").strip()[:32]
    code = request.form.get("access_code", "")[:40]
    report = services.look_up(tracking_no, code, ip=request.remote_addr)
    if report is None:
        # a wrong number and a wrong code look the same; the guesses count twice: per address
        # and per tracking number (against guessing from many addresses)
        limits.hit("report_status", f"fail:{tracking_no.upper()}")
        return render_template("reports/status.html", values={"tracking_no": tracking_no},
                               status=None, steps=STEPS, not_found=True), 404
    return render_template("reports/status.html", values={"tracking_no": tracking_no},
                           status=report_status(report), steps=STEPS)


# -- mark search -----------------------------------------------------------------------------


@bp.route("/marks")
def search_marks():
    """The registry by name, registration number or owner (the form's search box)."""
    q = request.args.get("q", "").strip()[:40]
    if len(q) < 1:
        return jsonify({"items": []})
    # wildcards and PostgreSQL's LIKE escape character (a trailing one is an error) dropped
    pattern = f"%{q.replace('%', '').replace('_', '').replace(chr(92), '')}%"
    rows = db.session.scalars(
        select(Trademark).where(or_(Trademark.name.like(pattern), Trademark.reg_no == q,
                                    Trademark.owner_name.like(pattern)))
        .order_by(func.length(Trademark.name), Trademark.reg_no).limit(10))
    return jsonify({"items": [{"registration_no": t.reg_no, "name": t.name,
                               "owner": t.owner_name, "type": str(t.type_label),
                               "goods": t.goods} for t in rows]})


# -- my reports ------------------------------------------------------------------------------


def _own_reports(user):
    """The reports an account may follow without the access code: those it submitted, and for
    a station those its unit filed."""
    clauses = [Report.submitted_by_user_id == user.id]
    if user.unit_id is not None and services.is_station(user):
        clauses.append(Report.filed_by_unit_id == user.unit_id)
    return or_(*clauses)


@bp.route("/mine")
def mine():
    user = _user()
    if user is None:
        return redirect(url_for("auth.login", next=request.path))
    if not user.can("report.read_own"):
        abort(403)
    reports = list(db.session.scalars(select(Report).where(_own_reports(user))
                                      .order_by(Report.id.desc()).limit(200)))
    return render_template("reports/mine.html", rows=[(r, report_status(r)) for r in reports])


@bp.route("/mine/<tracking_no>")
def my_report(tracking_no):
    user = _user()
    if user is None:
        return redirect(url_for("auth.login", next=request.path))
    report = db.session.scalar(select(Report).where(Report.tracking_no == tracking_no,
                                                    _own_reports(user)))
    if report is None or not user.can("report.read_own"):
        abort(404)
    return render_template("reports/my_report.html", report=report,
                           status=report_status(report), steps=STEPS)


# -- errors the portal answers in its own words ---------------------------------------------


@bp.app_errorhandler(RequestEntityTooLarge)
@bp.app_errorhandler(services.EvidenceTooLarge)
def too_large(exc):
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    message = exc.message() if isinstance(exc, services.EvidenceTooLarge) else _(
        "上传的内容合计超过 %(mb)d MB。单个文件不能超过 20 MB，请压缩照片或分次提交。", mb=limit)
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": "too_large", "message": message}}), 413
    return render_template("errors/error.html", code=413, title=_("文件太大"),
                           message=message), 413


@bp.app_errorhandler(limits.RateLimited)
def rate_limited(exc):
    message = _("操作过于频繁，请 %(minutes)d 分钟后再试。",
                minutes=max(1, (exc.retry_after + 59) // 60))
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"code": "rate_limited", "message": message}})
    else:
        response = Response(render_template("errors/error.html", code=429,
                                            title=_("请稍后再试"), message=message))
    response.status_code = 429
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


bp.before_app_request(limits.limit_other_endpoints)
