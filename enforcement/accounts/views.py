"""Registration and mandates on the portal."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from enforcement.accounts import services
from enforcement.errors import Invalid, Refused
from enforcement.reports import limits
from enforcement.security import start_login_session

bp = Blueprint("accounts", __name__, url_prefix="/portal")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if request.method == "GET":
        return render_template("accounts/register.html", values={}, errors={})
    limits.hit("register")
    values = {k: request.form.get(k, "") for k in ("username", "full_name", "phone", "email")}
    try:
        user = services.register(**values, password=request.form.get("password", ""),
                                 ip=request.remote_addr)
    except Invalid as exc:
        return render_template("accounts/register.html", values=values,
                               errors=exc.errors), 422
    start_login_session(user)
    flash(_("注册成功。代理机构请先上传授权委托书，再以委托人的名义举报。"), "success")
    return redirect(url_for("reports.mine"), code=303)


@bp.route("/mandates", methods=["GET", "POST"])
@login_required
def mandates():
    user = current_user._get_current_object()
    if not user.can("report.file") or user.unit_id is not None:
        abort(403)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("principal_name", "principal_credit_code",
                                                       "mark_numbers", "valid_until")}
        try:
            services.record_mandate(user, **values, upload=request.files.get("file"),
                                    ip=request.remote_addr)
        except Invalid as exc:
            errors, status = exc.errors, 422
        except Refused:
            abort(403)
        else:
            flash(_("授权委托书已保存，举报时可以选择以委托人的名义提交。"), "success")
            return redirect(url_for("accounts.mandates"), code=303)
    return render_template("accounts/mandates.html", values=values, errors=errors,
                           mandates=services.usable_mandates(user)), status
