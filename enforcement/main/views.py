"""Home, dashboard and the workflow picture."""
import subprocess
from functools import lru_cache

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from enforcement.cases import queries
from enforcement.clocks import holidays
from enforcement.db import local_today
from workflows.diagram import graphviz

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@login_required
def dashboard():
    user = current_user._get_current_object()
    # heads of a unit and the city supervisor also see the deadlines of every unit they oversee
    oversees = any(user.can(p) for p in ("case.assign", "case.approve_filing", "case.read_all"))
    return render_template(
        "main/dashboard.html", summary=queries.dashboard(user),
        tasks=queries.work_list(user),
        units=queries.unit_deadlines(user) if oversees else None,
        overdue=queries.overdue_clocks(user) if oversees else None,
        calendar=holidays.year_statuses(local_today()) if user.can("admin.rules") else None)


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


@bp.app_errorhandler(500)
def _server_error(exc):
    return _error_page(500, _("系统错误"),
                       _("系统发生错误，操作未完成，数据未被修改。请稍后重试。"))
