"""The rights holder's pages: 待办 (identification requests), mediation requests, messages."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import CombinedMultiDict

from enforcement.cases import services as case_services
from enforcement.cases.action_forms import build_form
from enforcement.cases.facts import Facts
from enforcement.cases.models import Case
from enforcement.cases.scope import acts_for, holder_cases
from enforcement.errors import Invalid, NotFound, Refused, Stale
from enforcement.evidence import services as evidence_services
from enforcement.evidence import thumbnails
from enforcement.evidence.models import Evidence
from enforcement.evidence.views import evidence_response
from enforcement.extensions import db
from enforcement.notifications import queries
from enforcement.notifications import services as notifications
from workflows import engine
from workflows.spec import Side

bp = Blueprint("holder", __name__, url_prefix="/holder")

#: the largest side of a photo shown to the holder (re-encoded without its metadata)
PHOTO_MAX_SIDE = 2000


def _actor():
    return current_user._get_current_object()


def _holder_case(case_id: int) -> Case:
    """A case the user follows as the rights holder; 404 for anything else (audited)."""
    actor = _actor()
    try:
        case = case_services.load_case(case_id, actor, ip=request.remote_addr)
    except NotFound:
        abort(404)
    if not acts_for(actor, case, Side.holder):
        abort(404)
    return case


@bp.before_request
@login_required
def _holders_only():
    if not current_user.can("report.read_own"):
        abort(403)


@bp.route("/")
def tasks():
    actor = _actor()
    mediable = [case for case in db.session.scalars(
        select(Case).where(holder_cases(actor)).order_by(Case.id.desc()).limit(200))
        if not case_services.refusals_for(engine.get_action("request_mediation"), case, actor,
                                          Facts(case))]
    return render_template("notifications/tasks.html",
                           requests=queries.open_identification_requests(actor),
                           mediable=mediable, unread=queries.unread_count(actor))


def _perform(case, name, success):
    """Take the action from the posted form; None when it was done (then redirect)."""
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = -1
    try:
        case_services.perform(case.id, name, _actor(),
                              CombinedMultiDict([request.files, request.form]),
                              expected_version=version, ip=request.remote_addr)
    except Invalid as exc:
        flash(exc.message(), "danger")
        return exc.errors
    except (Refused, Stale) as exc:
        flash(exc.message(), "danger")
        return False
    flash(success, "success")
    return None


@bp.route("/identification/<int:case_id>", methods=["GET", "POST"])
def identification(case_id):
    case = _holder_case(case_id)
    pending = queries.open_identification_request(_actor(), case)
    if pending is None:
        flash(_("该案件没有待答复的协助辨认/鉴别请求"), "warning")
        return redirect(url_for("holder.tasks"))
    action = engine.get_action("record_identification")
    errors, status = {}, 200
    if request.method == "POST":
        result = _perform(case, action.name, _("辨认/鉴别意见已提交，感谢您的协助"))
        if result is None or result is False:
            return redirect(url_for("holder.tasks"), 303)
        errors, status = result, 422
        case = _holder_case(case_id)
    form = build_form(action, case, request.form if request.method == "POST" else None)
    return render_template("notifications/identification.html", case=case, request_=pending,
                           action=action, form=form, errors=errors), status


@bp.route("/identification/<int:case_id>/photos/<int:evidence_id>")
def photo(case_id, evidence_id):
    """A photo the inspector sent with the open request, and only those."""
    case = _holder_case(case_id)
    pending = queries.open_identification_request(_actor(), case)
    sent = {p["id"] for p in pending.photos} if pending else set()
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.case_id != case.id or evidence.id not in sent:
        abort(404)
    try:
        data = evidence_services.read_checked(evidence, actor=_actor(), ip=request.remote_addr)
    except evidence_services.IntegrityFailure:
        abort(409, _("文件校验失败：存储的文件与上传时的哈希值不一致，请联系办案机构"))
    if evidence.content_type.startswith("image/"):
        # EXIF (place, device, time) stays with the evidence; the holder gets the pixels only
        data, _width, _height = thumbnails.render(data, PHOTO_MAX_SIDE, quality=88)
    response = evidence_response(evidence, data)
    if evidence.content_type.startswith("image/"):
        response.mimetype = "image/jpeg"
    return response


@bp.route("/cases/<int:case_id>/mediation", methods=["GET", "POST"])
def mediation(case_id):
    case = _holder_case(case_id)
    action = engine.get_action("request_mediation")
    errors, status = {}, 200
    if request.method == "POST":
        result = _perform(case, action.name, _("调解申请已提交，办案机构处理后将通知您"))
        if result is None or result is False:
            return redirect(url_for("holder.mediation", case_id=case_id), 303)
        errors, status = result, 422
        case = _holder_case(case_id)
    refusals = case_services.refusals_for(action, case, _actor(), Facts(case))
    form = build_form(action, case, request.form if request.method == "POST" else None)
    return render_template("notifications/mediation.html", case=case, action=action, form=form,
                           errors=errors, refusals=Refused(refusals).reasons() if refusals else [],
                           history=queries.mediation_history(case)), status


@bp.route("/messages")
def messages():
    actor = _actor()
    return render_template("notifications/messages.html", messages=queries.inbox(actor),
                           unread=queries.unread_count(actor))


@bp.route("/messages/read", methods=["POST"])
def mark_read():
    notifications.mark_read(_actor())
    return redirect(url_for("holder.messages"), 303)
