"""The public penalty pages (no login, cacheable) and the staff pages around a publication:
the head's redaction preview, withdrawal, credit repair, the city bureau's typical cases."""
from datetime import UTC, datetime
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
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from enforcement.audit import services as audit
from enforcement.cases import services as case_services
from enforcement.cases.scope import visible_cases
from enforcement.errors import DomainError, Invalid, NotFound, Refused
from enforcement.extensions import db
from enforcement.publicity import queries, redaction, services
from enforcement.publicity.models import STATUS_LABELS, PublicationEntry
from enforcement.reports.routing import district_choices

bp = Blueprint("publicity", __name__, url_prefix="/penalties")

#: seconds a browser or proxy may keep a public page (a take-down shows within this time)
PUBLIC_MAX_AGE = 300


def _actor():
    return current_user._get_current_object()


# -- public pages -------------------------------------------------------------------------------
def _anonymous_first_visit() -> bool:
    """No session cookie: the page is the same for everyone and may be cached publicly."""
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def _public(template: str, **context):
    """Render a public page with caching headers. A first visit (no cookie) gets the page
    without the CSRF-bearing language forms, so that no session is made and any cache may
    keep it; a visitor with a session gets it privately."""
    shared = _anonymous_first_visit()
    if shared:
        context["languages"] = {}
    response = current_app.make_response(render_template(template, **context))
    _cache(response, shared)
    return response


def _cache(response, shared: bool, last_modified: datetime | None = None):
    changed = last_modified or queries.last_change()
    if changed is not None:
        response.last_modified = changed.astimezone(UTC)
    response.headers["Cache-Control"] = (f"public, max-age={PUBLIC_MAX_AGE}" if shared
                                         else f"private, max-age={PUBLIC_MAX_AGE}")
    response.headers["Vary"] = "Cookie"
    response.add_etag()
    return response.make_conditional(request)


def _districts() -> list[tuple[str, str]]:
    return [(code, name) for code, name in district_choices() if code != "city"]


@bp.route("/")
def index():
    filters = queries.filters_from(request.args)
    rows, has_next = queries.page_of(filters)
    return _public("publicity/index.html", rows=rows, has_next=has_next, filters=filters,
                   districts=_districts(), district_names=dict(_districts()))


@bp.route("/<int:entry_id>")
def entry(entry_id):
    found = queries.public_entry(entry_id)
    if found is None:
        abort(404)
    return _public("publicity/entry.html", entry=found,
                   district_names=dict(_districts()))


@bp.route("/<int:entry_id>/decision.pdf")
def pdf(entry_id):
    found = queries.public_entry(entry_id)
    if found is None:
        abort(404)
    response = current_app.response_class(found.pdf, mimetype="application/pdf")
    name = f"行政处罚决定书（公示）{found.decision_number}.pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="penalty-{found.id}.pdf"; filename*=UTF-8\'\'{quote(name, safe="")}')
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.set_etag(found.sha256)
    response.last_modified = found.changed_at.astimezone(UTC)
    return response.make_conditional(request)


@bp.route("/exposure")
def exposure():
    return _public("publicity/exposure.html", infringers=queries.repeat_infringers(),
                   typical=queries.typical_cases())


@bp.route("/feed.atom")
def feed():
    entries = queries.feed_entries()
    updated = queries.last_change() or datetime.now(UTC)
    body = render_template("publicity/feed.xml", entries=entries, updated=updated,
                           feed_id=url_for("publicity.feed", _external=True))
    response = current_app.response_class(body, mimetype="application/atom+xml")
    return _cache(response, True, updated)


# -- staff: the redaction preview before publishing ---------------------------------------------
@bp.route("/staff/cases/<int:case_id>/preview", methods=["GET", "POST"])
@login_required
def preview(case_id):
    actor = _actor()
    try:
        case = case_services.load_case(case_id, actor, ip=request.remote_addr)
    except NotFound:
        abort(404)
    allowed = {a.name for a in case_services.allowed_actions(case, actor)}
    masks = request.form.get("extra_masks", "")
    if request.method == "POST" and request.form.get("confirm") == "publish":
        if "publish" not in allowed:
            abort(403)
        try:
            case_services.perform(case.id, "publish", actor, MultiDict(
                {"extra_masks": masks, "note": request.form.get("note", "")}),
                expected_version=request.form.get("version", type=int), ip=request.remote_addr)
        except DomainError as exc:
            flash(_message(exc), "danger")
        else:
            flash(_("已公示。公示页面和PDF均为隐去个人信息后的版本。"), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
        case = case_services.load_case(case_id, actor, ip=request.remote_addr)
    try:
        shown = services.preview(case, services.masks_from(masks))
    except DomainError as exc:
        flash(_message(exc), "danger")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("publicity/preview.html", case=case, shown=shown, masks=masks,
                           may_publish="publish" in allowed, rules=redaction.rules_table())


def _message(exc: DomainError) -> str:
    if isinstance(exc, Invalid):
        return "；".join(m for messages in exc.errors.values() for m in messages)
    return exc.message()


# -- staff: the publications of one's jurisdiction ----------------------------------------------
def _staff_entries():
    from enforcement.cases.models import Case

    return (select(PublicationEntry).join(Case, Case.id == PublicationEntry.case_id)
            .where(visible_cases(_actor())))


@bp.route("/staff")
@login_required
def staff_index():
    if not _actor().can("case.read"):
        abort(403)
    from enforcement.cases.models import Case
    from workflows.states import CaseState

    rows = db.session.scalars(_staff_entries().order_by(PublicationEntry.id.desc()).limit(200))
    # decided cases whose publication is due: the head opens the preview from here
    waiting = db.session.scalars(select(Case).where(
        Case.state == CaseState.decided, visible_cases(_actor())).order_by(Case.id).limit(100))
    return render_template("publicity/staff_index.html", rows=list(rows), waiting=list(waiting),
                           labels=STATUS_LABELS,
                           may_choose=services.may_choose_typical(_actor()))


@bp.route("/staff/<int:entry_id>")
@login_required
def staff_entry(entry_id):
    found = db.session.scalar(_staff_entries().where(PublicationEntry.id == entry_id))
    if found is None:
        audit.record("access.denied", actor=_actor(), obj_type="publication", obj_id=entry_id,
                     ip=request.remote_addr, reason="not_visible")
        db.session.commit()
        abort(404)
    return render_template("publicity/staff_entry.html", entry=found, labels=STATUS_LABELS,
                           conditions=services.REPAIR_CONDITIONS,
                           revocation_kinds=services.REVOCATION_KINDS,
                           eligible_on=services.repair_eligible_on(found),
                           may_choose=services.may_choose_typical(_actor()))


def _act(entry_id, call, done: str):
    try:
        call()
    except NotFound:
        abort(404)
    except Refused as exc:
        if exc.status == 403:  # not this user's to decide: refused, and audited (errors.py)
            abort(403)
        flash(_message(exc), "danger")
    except DomainError as exc:
        flash(_message(exc), "danger")
    else:
        flash(done, "success")
    return redirect(url_for("publicity.staff_entry", entry_id=entry_id))


@bp.post("/staff/<int:entry_id>/revocation")
@login_required
def record_revocation(entry_id):
    form = request.form
    return _act(entry_id, lambda: services.record_revocation(
        entry_id, _actor(), kind=form.get("kind", ""), decided_on=form.get("decided_on", ""),
        reason=form.get("reason", ""), ip=request.remote_addr),
        _("已记录。请在三个工作日内撤下公示信息。"))


@bp.post("/staff/<int:entry_id>/withdraw")
@login_required
def withdraw(entry_id):
    return _act(entry_id, lambda: services.withdraw(
        entry_id, _actor(), request.form.get("reason", ""), ip=request.remote_addr),
        _("已撤回公示信息，公开页面不再显示。"))


@bp.post("/staff/<int:entry_id>/repair")
@login_required
def remove_early(entry_id):
    form = request.form
    conditions = {code: form.get(code) == "1" for code, _label in services.REPAIR_CONDITIONS}
    return _act(entry_id, lambda: services.remove_early(
        entry_id, _actor(), conditions=conditions, applied_on=form.get("applied_on", ""),
        note=form.get("note", ""), ip=request.remote_addr),
        _("已提前停止公示（信用修复）。"))


@bp.post("/staff/<int:entry_id>/typical")
@login_required
def typical(entry_id):
    chosen = request.form.get("typical") == "1"
    return _act(entry_id, lambda: services.set_typical(
        entry_id, _actor(), chosen, request.form.get("note", ""), ip=request.remote_addr),
        _("已选为典型案例。") if chosen else _("已取消典型案例。"))
