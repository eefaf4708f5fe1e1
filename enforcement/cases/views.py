"""Case list, case page, and the form of each workflow action."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from enforcement.cases import presenters, queries, services
from enforcement.cases.action_forms import build_form
from enforcement.errors import Invalid, NotFound, Refused, Stale
from workflows import engine
from workflows.states import CaseState

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _actor():
    return current_user._get_current_object()


def _filters_from_args(args) -> queries.CaseFilters:
    try:
        page = int(args.get("page", 1))
    except ValueError:
        page = 1
    return queries.CaseFilters(
        q=args.get("q", "")[:100], state=args.get("state", ""), stage=args.get("stage", ""),
        sort=args.get("sort", "updated"), mine=args.get("mine") == "1", page=page)


@bp.route("/")
@login_required
def index():
    filters = _filters_from_args(request.args)
    rows, total = queries.list_cases(_actor(), filters)
    sorts = [("updated", _("最近更新")), ("created", _("登记时间")), ("number", _("编号")),
             ("state", _("状态"))]
    return render_template("cases/list.html", cases=rows, total=total, filters=filters,
                           page_size=queries.PAGE_SIZE, states=list(CaseState), sorts=sorts)


@bp.route("/<int:case_id>")
@login_required
def detail(case_id):
    try:
        case = services.load_case(case_id, _actor(), ip=request.remote_addr)
    except NotFound:
        abort(404)
    return render_template("cases/detail.html", **presenters.case_page(case, _actor()))


@bp.route("/<int:case_id>/actions/<name>", methods=["GET", "POST"])
@login_required
def action(case_id, name):
    actor = _actor()
    try:
        case = services.load_case(case_id, actor, ip=request.remote_addr)
        spec = engine.get_action(name)
    except (NotFound, engine.UnknownAction):
        abort(404)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            version = -1
        try:
            formdata = CombinedMultiDict([request.files, request.form])
            outcome = services.perform(case_id, name, actor, formdata,
                                       expected_version=version, ip=request.remote_addr)
        except Invalid as exc:
            errors, status = exc.errors, 422
            flash(exc.message(), "danger")
        except (Refused, Stale) as exc:
            flash(exc.message(), "danger")
            return redirect(url_for("cases.detail", case_id=case_id)), 303
        else:
            flash(_("已完成：%(action)s", action=_(spec.label)), "success")
            return redirect(url_for("cases.detail", case_id=outcome.case.id), 303)
        case = services.load_case(case_id, actor)
    refusals = services.refusals_for(spec, case, actor, presenters.Facts(case))
    if refusals:
        flash(Refused(refusals).message(), "warning")
        return redirect(url_for("cases.detail", case_id=case_id))
    form = build_form(spec, case, request.form if request.method == "POST" else None)
    return render_template("cases/action.html", case=case, action=spec, form=form,
                           errors=errors), status
