"""Case list and search, case page, and the form of each workflow action."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from enforcement.cases import presenters, queries, services
from enforcement.cases.action_forms import build_form
from enforcement.cases.queries import reads_case_file
from enforcement.errors import Invalid, NotFound, Refused, Stale
from workflows import engine
from workflows.states import CaseState

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _actor():
    return current_user._get_current_object()


@bp.app_template_global("opens_case_files")
def _opens_case_files() -> bool:
    """Whether the navigation offers 案件: not to portal accounts nor to the auditor."""
    return reads_case_file(_actor())


def _to_portal():
    """Where a portal account goes instead of the bureau's case pages."""
    if _actor().can("identification.answer"):
        return redirect(url_for("holder.tasks"))
    return redirect(url_for("reports.mine"))


SORT_LABELS = (("updated", _l("最近更新")), ("created", _l("登记时间（新的在前）")),
               ("oldest", _l("登记时间（早的在前）")), ("number", _l("编号")),
               ("state", _l("状态")))


@bp.route("/")
@login_required
def index():
    actor = _actor()
    if not reads_case_file(actor):
        return _to_portal()
    filters = queries.filters_from_args(request.args)
    rows, total = queries.list_cases(actor, filters)
    units, inspectors = queries.search_choices(actor)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("cases/list.html", cases=rows, total=total, filters=filters,
                           page_size=queries.PAGE_SIZE, states=list(CaseState),
                           sorts=SORT_LABELS, units=units, inspectors=inspectors, args=args)


@bp.route("/<int:case_id>")
@login_required
def detail(case_id):
    if not reads_case_file(_actor()):
        return _to_portal()
    try:
        case = services.load_case(case_id, _actor(), ip=request.remote_addr,
                                  options=presenters.page_loads())
    except NotFound:
        abort(404)
    return render_template("cases/detail.html", **presenters.case_page(case, _actor()))


@bp.route("/<int:case_id>/actions/<name>", methods=["GET", "POST"])
@login_required
def action(case_id, name):
    actor = _actor()
    if not reads_case_file(actor):
        return _to_portal()
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
            errors, status = exc.errors, exc.status  # 422; 507 when the disk is full
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
