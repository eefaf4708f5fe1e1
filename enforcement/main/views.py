"""Home, dashboard and the workflow picture."""
import subprocess
from functools import lru_cache

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from enforcement.cases import queries
from enforcement.cases.scope import visible_cases
from enforcement.clocks import holidays
from enforcement.db import local_today
from enforcement.main import queues
from enforcement.query_args import bounded_int
from workflows.diagram import graphviz

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Visitors land on the public portal (file a report, check one, verify a document),
    everyone else on their own landing page."""
    if not current_user.is_authenticated:
        return redirect(url_for("reports.home"))
    return redirect(url_for(_landing(current_user)))


def _landing(user) -> str:
    """The endpoint an account starts from: the security auditor reads the audit log and
    nothing else; a portal account (rights holder, guidance station) its own reports; staff,
    the police, procuratorates and courts, and the administrators, the workbench."""
    administers = any(user.can(p) for p in ("admin.users", "admin.units", "admin.rules"))
    if queries.reads_case_file(user) or administers:
        return "main.dashboard"
    if user.can("audit.read"):
        return "audit.index"
    if user.can("report.read_own"):
        return "reports.mine"
    return "main.dashboard"


@bp.route("/dashboard")
@login_required
def dashboard():
    user = current_user._get_current_object()
    landing = _landing(user)
    if landing != "main.dashboard":
        return redirect(url_for(landing))
    if not user.can("case.read"):
        # police, procuratorates and courts work from what was sent to them
        from enforcement.referrals.inbox import inbox_of

        inbox = inbox_of(user)
        if inbox is not None:
            from enforcement.referrals.views import inbox_page

            return inbox_page(inbox)
    # heads of a unit and the city supervisor also see the deadlines of every unit they oversee
    oversees = any(user.can(p) for p in ("case.assign", "case.approve_filing", "case.read_all"))
    return render_template(
        "main/dashboard.html", summary=queries.dashboard(user),
        queues=queues.queues_for(user), queue_counts=queues.queue_counts(user),
        tasks=queries.work_list(user),
        units=queries.unit_deadlines(user) if oversees else None,
        overdue=queries.overdue_clocks(user) if oversees else None,
        calendar=holidays.year_statuses(local_today()) if user.can("admin.rules") else None)


@bp.route("/queues/<code>")
@login_required
def queue(code):
    """One of the user's work queues, paged; its siblings as tabs with their counts."""
    user = current_user._get_current_object()
    mine = queues.queues_for(user)
    current = queues.QUEUES_BY_CODE.get(code)
    if current not in mine:
        abort(404)
    try:
        page = max(1, bounded_int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    visible = visible_cases(user)  # the jurisdiction, worked out once for every query
    counts = queues.queue_counts(user, visible)
    rows = queues.queue_page(user, code, page, visible)
    return render_template("main/queue.html", queue=current, queues=mine, rows=rows,
                           total=counts[code], page=page, page_size=queries.PAGE_SIZE,
                           counts=counts)


@bp.route("/workflow")
@login_required
def workflow():
    return render_template("main/workflow.html")


@bp.route("/workflow.svg")
@login_required
def workflow_svg():
    return Response(_render_svg(str(get_locale() or "zh")), mimetype="image/svg+xml")


@lru_cache(maxsize=4)
def _render_svg(locale: str) -> bytes:
    # the picture depends only on the definition and the language: render once per process
    source = graphviz(translate=_)
    result = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                            timeout=20, check=True)
    return result.stdout


def _error_page(code: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": str(code), "message": message}}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


@bp.app_errorhandler(CSRFError)
def _csrf_error(exc):
    return _error_page(400, _("页面已过期"), _("表单已过期或来源无效，请返回刷新后重新提交。"))


@bp.app_errorhandler(403)
def _forbidden(exc):
    return _error_page(403, _("无权访问"), _("您没有访问此页面的权限。"))


@bp.app_errorhandler(404)
def _not_found(exc):
    return _error_page(404, _("未找到"), _("未找到该页面或记录，或您无权查看。"))


@bp.app_errorhandler(405)
def _method_not_allowed(exc):
    return _error_page(405, _("不支持的请求"), _("不支持该请求方法。"))


@bp.app_errorhandler(409)
def _conflict(exc):
    return _error_page(409, _("操作冲突"), exc.description)


@bp.app_errorhandler(503)
def _unavailable(exc):
    response = _error_page(503, _("请稍后再试"), exc.description)
    return response[0], 503, {"Retry-After": "10"}


@bp.app_errorhandler(500)
def _server_error(exc):
    return _error_page(500, _("系统错误"),
                       _("系统发生错误，操作未完成，数据未被修改。请稍后重试。"))
