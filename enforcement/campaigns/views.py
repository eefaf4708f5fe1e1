"""Campaign and statistics pages: campaigns, their cases, field work, the quarterly statistics
of a campaign, a district or the city with drill-downs and exports, and the brand dashboard."""
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from enforcement.campaigns import brand, services, stats
from enforcement.campaigns.charts import Reference, Series, bar_chart, report_charts
from enforcement.campaigns.exports import XLSX_TYPE, columns
from enforcement.campaigns.forms import (
    AddCaseForm,
    CampaignForm,
    FieldWorkForm,
    RemoveCaseForm,
    parse_classes,
)
from enforcement.campaigns.models import JOINED_BY_LABELS, CampaignCase, FieldWork
from enforcement.campaigns.rules import member_clause
from enforcement.cases.models import Case
from enforcement.cases.scope import visible_cases
from enforcement.db import local_today
from enforcement.errors import DomainError, Invalid, NotFound
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.orgs.models import OrgUnit, UnitKind, subtree_ids
from enforcement.query_args import bounded_int

bp = Blueprint("campaigns", __name__)


def _actor():
    return current_user._get_current_object()


def _require(permission: str) -> None:
    if not current_user.can(permission):
        abort(403)


@bp.app_template_global("may_see_stats")
def may_see_stats() -> bool:
    return current_user.is_authenticated and (current_user.can("stats.read")
                                              or current_user.can("fieldwork.record"))


@bp.app_template_global("drill_url")
def drill_url(args: dict, code: str, table, row) -> str:
    """The drill-down of one cell: the figure, narrowed to the row's group (not the total's)."""
    params = dict(args, figure=code)
    if row is not table.total:
        key = row.key.value if hasattr(row.key, "value") else row.key
        params |= {"dim": table.dimension, "key": "" if key is None else key}
    return url_for("campaigns.drill", **params)


# -- reading the query string ----------------------------------------------------------------
def _quarter() -> stats.Quarter:
    today = stats.Quarter.of(local_today())
    year = request.args.get("year", type=bounded_int) or today.year
    quarter = request.args.get("quarter", type=bounded_int) or today.quarter
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        abort(404)
    return stats.Quarter(year, quarter)


def _scope(campaign=None) -> stats.Scope:
    """The statistics' scope from ``campaign_id`` and ``unit_id``; a unit outside the user's
    jurisdiction is not found."""
    actor = _actor()
    if campaign is None and request.args.get("campaign_id", type=bounded_int):
        campaign = _campaign(request.args.get("campaign_id", type=bounded_int))
    unit_id = request.args.get("unit_id", type=bounded_int)
    if unit_id is not None and not services.manages_unit(actor, unit_id):
        abort(404)
    return stats.Scope(actor, campaign=campaign, unit_id=unit_id)


def _campaign(campaign_id: int):
    try:
        return services.get_campaign(_actor(), campaign_id)
    except NotFound:
        abort(404)


def _args(scope: stats.Scope, q: stats.Quarter) -> dict:
    out = {"year": q.year, "quarter": q.quarter}
    if scope.campaign is not None:
        out["campaign_id"] = scope.campaign.id
    if scope.unit_id is not None:
        out["unit_id"] = scope.unit_id
    return out


def _report_context(scope: stats.Scope, q: stats.Quarter) -> dict:
    report = stats.quarterly(scope, q)
    return {"report": report, "charts": report_charts(report), "columns": columns,
            "figures": stats.FIGURES, "field_work_labels": stats.FIELD_WORK,
            "field_work_definition": stats.FIELD_WORK_DEFINITION, "args": _args(scope, q),
            "years": range(local_today().year, local_today().year - 6, -1),
            "units": _units_for(current_user)}


def _units_for(user) -> list[OrgUnit]:
    query = select(OrgUnit).where(OrgUnit.kind == UnitKind.bureau).order_by(OrgUnit.id)
    if not user.can("case.read_all"):
        query = query.where(OrgUnit.id.in_(subtree_ids(user.unit_id) if user.unit_id else []))
    return list(db.session.scalars(query))


# -- statistics --------------------------------------------------------------------------------
@bp.route("/stats/")
@login_required
def quarterly():
    """The quarterly statistics of the city (or the user's bureau), or of one unit."""
    _require("stats.read")
    scope, q = _scope(), _quarter()
    if scope.campaign is not None:
        return redirect(url_for("campaigns.detail", campaign_id=scope.campaign.id,
                                year=q.year, quarter=q.quarter))
    return render_template("campaigns/stats.html", **_report_context(scope, q))


@bp.route("/stats/cases")
@login_required
def drill():
    """The cases behind one figure, in the user's jurisdiction."""
    _require("stats.read")
    scope, q = _scope(), _quarter()
    code = request.args.get("figure", "")
    figure = stats.FIGURES_BY_CODE.get(code) or abort(404)
    dimension = request.args.get("dim") or None
    if dimension not in (None, *stats.DIMENSIONS):
        abort(404)
    key = request.args.get("key") or None
    if dimension == "mark_type" and key not in (None, *(t.value for t in stats.MarkType)):
        abort(404)
    if dimension in ("unit", "goods") and key is not None and not (
            key.isascii() and key.isdigit() and len(key) < 10):
        abort(404)
    page = max(1, request.args.get("page", 1, type=bounded_int))
    per_page = 50
    cases, total = stats.drill(scope, q, code, dimension, key, limit=per_page,
                               offset=(page - 1) * per_page)
    services.audit_read(_actor(), "stats.drill", figure=code, quarter=q.short,
                        dimension=dimension, key=key, ip=request.remote_addr,
                        campaign_id=scope.campaign.id if scope.campaign else None,
                        scope_unit_id=scope.unit_id, cases=total)
    group = stats.key_label(dimension, key) if dimension and dimension != "unit" else None
    if dimension == "unit" and key:
        unit = db.session.get(OrgUnit, int(key))
        group = unit.name if unit else key
    return render_template("campaigns/drill.html", figure=figure, cases=cases, total=total,
                           page=page, pages=max(1, -(-total // per_page)), q=q, scope=scope,
                           group=group, args=_args(scope, q) | {
                               "figure": code, "dim": dimension or "", "key": key or ""})


@bp.route("/stats/export.<fmt>")
@login_required
def export(fmt):
    _require("stats.read")
    if fmt not in ("xlsx", "csv", "pdf"):
        abort(404)
    scope, q = _scope(), _quarter()
    report = stats.quarterly(scope, q)
    try:
        body = services.export(_actor(), report, fmt, ip=request.remote_addr)
    except DomainError:
        abort(500)
    return file_response(body, fmt, report.title)


MIMETYPES = {"xlsx": XLSX_TYPE, "csv": "text/csv", "pdf": "application/pdf"}


def file_response(body, fmt: str, title: str):
    response = current_app.response_class(body, mimetype=MIMETYPES[fmt])
    name = f"{title.replace(' ', '_')}.{fmt}"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="quarterly-statistics.{fmt}"; '
        f"filename*=UTF-8''{quote(name, safe='')}")
    response.headers["Cache-Control"] = "no-store"
    return response


# -- campaigns ---------------------------------------------------------------------------------
@bp.route("/campaigns/")
@login_required
def index():
    if not may_see_stats():
        abort(403)
    campaigns = services.visible_campaigns(_actor()) if current_user.can("stats.read") else []
    today = local_today()
    return render_template("campaigns/index.html", campaigns=campaigns, today=today,
                           q=stats.Quarter.of(today))


@bp.route("/campaigns/<int:campaign_id>")
@login_required
def detail(campaign_id):
    _require("stats.read")
    campaign = _campaign(campaign_id)
    scope, q = _scope(campaign), _quarter()
    members = select(Case).where(member_clause(campaign), visible_cases(current_user))
    count = db.session.scalar(select(func.count()).select_from(members.subquery()))
    recent = db.session.scalars(members.order_by(Case.created_at.desc()).limit(20)).all()
    decisions = db.session.scalars(select(CampaignCase).where(
        CampaignCase.campaign_id == campaign.id,
        CampaignCase.case_id.in_(select(Case.id).where(visible_cases(current_user))))
        .order_by(CampaignCase.id.desc())).all()
    marks = db.session.scalars(select(Trademark).where(
        Trademark.id.in_(campaign.mark_ids or []))).all()
    return render_template("campaigns/detail.html", campaign=campaign, members=recent,
                           member_count=count, decisions=decisions, marks=marks,
                           joined_labels=JOINED_BY_LABELS, add_form=AddCaseForm(),
                           remove_form=RemoveCaseForm(),
                           may_manage=current_user.can("campaign.manage"),
                           **_report_context(scope, q))


def _campaign_form(campaign=None) -> CampaignForm:
    form = CampaignForm(obj=None if request.method == "POST" else campaign)
    units = _units_for(current_user)
    form.lead_unit_id.choices = [(u.id, u.name) for u in units]
    form.districts.choices = [(u.district, u.name) for u in units if u.parent_id is not None]
    form.mark_ids.choices = [(m.id, f"{m.name}（{m.reg_no}）") for m in db.session.scalars(
        select(Trademark).order_by(Trademark.reg_no))]
    if request.method == "GET" and campaign is not None:
        form.nice_classes.data = ", ".join(str(n) for n in campaign.nice_classes)
    return form


def _campaign_data(form) -> services.CampaignData:
    return services.CampaignData(
        name=form.name.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        lead_unit_id=form.lead_unit_id.data, districts=list(form.districts.data or []),
        nice_classes=parse_classes(form.nice_classes.data or ""),
        mark_ids=list(form.mark_ids.data or []), goals=form.goals.data or "")


def _form_errors(form, exc: Invalid) -> None:
    for name, messages in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
        else:
            for message in messages:
                flash(message, "danger")


@bp.route("/campaigns/new", methods=["GET", "POST"])
@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id=None):
    _require("campaign.manage")
    campaign = _campaign(campaign_id) if campaign_id else None
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        try:
            campaign = services.save_campaign(_actor(), _campaign_data(form), campaign,
                                              ip=request.remote_addr)
        except Invalid as exc:
            _form_errors(form, exc)
        except DomainError as exc:
            flash(exc.message(), "danger")
        else:
            flash(_("专项行动已保存"), "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id), 303)
    return render_template("campaigns/edit.html", form=form, campaign=campaign)


@bp.post("/campaigns/<int:campaign_id>/cases")
@login_required
def add_case(campaign_id):
    _require("campaign.manage")
    campaign = _campaign(campaign_id)
    form = AddCaseForm()
    if form.validate_on_submit():
        number = form.number.data.strip()
        case_id = db.session.scalar(select(Case.id).where(
            or_(Case.report_no == number, Case.case_no == number), visible_cases(current_user)))
        try:
            if case_id is None:
                raise NotFound()
            services.add_case(_actor(), campaign, case_id, form.note.data or "",
                              ip=request.remote_addr)
        except NotFound:
            flash(_("未找到编号为 %(n)s 的案件，或您无权查看", n=number), "danger")
        except DomainError as exc:
            flash("；".join(m for ms in getattr(exc, "errors", {}).values() for m in ms)
                  or exc.message(), "danger")
        else:
            flash(_("已将案件 %(n)s 加入本专项行动", n=number), "success")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id, _anchor="members"),
                    303)


@bp.post("/campaigns/<int:campaign_id>/cases/<int:case_id>/remove")
@login_required
def remove_case(campaign_id, case_id):
    _require("campaign.manage")
    campaign = _campaign(campaign_id)
    form = RemoveCaseForm()
    if form.validate_on_submit():
        try:
            services.remove_case(_actor(), campaign, case_id, form.reason.data,
                                 ip=request.remote_addr)
        except NotFound:
            abort(404)
        except DomainError as exc:
            flash("；".join(m for ms in getattr(exc, "errors", {}).values() for m in ms)
                  or exc.message(), "danger")
        else:
            flash(_("已将该案件移出本专项行动"), "success")
    else:
        flash(_("请填写移出理由"), "danger")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id, _anchor="members"),
                    303)


# -- field work --------------------------------------------------------------------------------
@bp.route("/campaigns/field-work", methods=["GET", "POST"])
@login_required
def field_work():
    _require("fieldwork.record")
    actor = _actor()
    q = stats.Quarter.of(local_today())
    form = FieldWorkForm(year=q.year, quarter=q.quarter)
    campaigns = services.visible_campaigns(actor)
    form.campaign_id.choices = [(0, _("日常执法（不属于专项行动）"))] + [
        (c.id, c.name) for c in campaigns]
    if form.validate_on_submit():
        campaign = next((c for c in campaigns if c.id == form.campaign_id.data), None)
        try:
            services.record_field_work(
                actor, unit_id=actor.unit_id, year=form.year.data, quarter=form.quarter.data,
                campaign=campaign, figures={code: getattr(form, code).data for code in
                                            services.FIELD_WORK_CODES},
                note=form.note.data or "", ip=request.remote_addr)
        except Invalid as exc:
            _form_errors(form, exc)
        except DomainError as exc:
            flash(exc.message(), "danger")
        else:
            flash(_("工作量已保存"), "success")
            return redirect(url_for("campaigns.field_work"), 303)
    rows = db.session.scalars(select(FieldWork).where(FieldWork.unit_id == actor.unit_id)
                              .order_by(FieldWork.year.desc(), FieldWork.quarter.desc(),
                                        FieldWork.id.desc()).limit(40)).all()
    names = {c.id: c.name for c in campaigns}
    return render_template("campaigns/field_work.html", form=form, rows=rows, names=names,
                           labels=stats.FIELD_WORK)


# -- brand strategy ----------------------------------------------------------------------------
@bp.route("/stats/brand")
@login_required
def brand_dashboard():
    _require("stats.read")
    today = local_today()
    rows = brand.counts(today)
    targets = brand.targets(today.year)
    total = {code: sum(r.values[code] for r in rows) for code, _l in brand.COLUMNS}
    labels = [r.label for r in rows] + [_("全市")]
    effective = bar_chart(
        _("有效注册商标（按权利人所在地区）"), labels,
        [Series(_("有效注册商标"), [r.values["effective"] for r in rows] + [total["effective"]])],
        slug="brand-effective",
        references=[Reference(_("%(year)d年目标", year=today.year), targets["effective"])])
    special = bar_chart(
        _("地理标志、集体、驰名商标（全市）"), [str(label) for _c, label in brand.COLUMNS[1:]],
        [Series(_("现有"), [total[code] for code, _l in brand.COLUMNS[1:]]),
         Series(_("2020年目标"), [targets[code] for code, _l in brand.COLUMNS[1:]])],
        slug="brand-special")
    return render_template("campaigns/brand.html", rows=rows, total=total, targets=targets,
                           columns=brand.COLUMNS, charts={"effective": effective,
                                                          "special": special},
                           year=today.year)
