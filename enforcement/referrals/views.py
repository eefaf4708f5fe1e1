"""The receivers' pages: police inbox, procuratorate view, court inbox, a referral's page and
its actions (taken through the same service as the bureau's case page)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from enforcement.cases import services
from enforcement.cases.action_forms import build_form
from enforcement.cases.facts import Facts
from enforcement.cases.presenters import clock_status_labels
from enforcement.errors import Invalid, NotFound, Refused, Stale
from enforcement.query_args import bounded_int
from enforcement.referrals import inbox as inboxes
from enforcement.referrals.detail import load_referral, referral_page, side_of
from enforcement.referrals.inbox import FILTER_LABELS, FILTERS, INBOX_LABELS, Inbox
from workflows import engine
from workflows.definition import DECLINE_GROUNDS
from workflows.spec import Side

bp = Blueprint("referrals", __name__)


def _actor():
    return current_user._get_current_object()


@bp.app_context_processor
def _inbox_nav():
    """The menu entry of a receiver's inbox, with what waits in it."""
    def inbox_nav():
        if not current_user.is_authenticated:
            return None
        inbox = inboxes.inbox_of(current_user)
        if inbox is None:
            return None
        return {"endpoint": f"referrals.{inbox.value}_inbox", "label": INBOX_LABELS[inbox],
                "count": inboxes.open_count(current_user)}
    return {"inbox_nav": inbox_nav}


@bp.app_template_global("clock_labels")
def _clock_labels():
    return clock_status_labels()


@bp.app_template_global("decline_ground_label")
def _decline_ground_label(ground):
    value = getattr(ground, "value", ground)
    return next((_(label) for code, label in DECLINE_GROUNDS if code == value), "")


@bp.app_template_global("case_referrals")
def _case_referrals(case):
    """The referrals of a case, for the bureau's case page (receivers have their own page)."""
    if not current_user.can("case.read"):
        return []
    return inboxes.rows_for(inboxes.case_referrals(case.id))


@bp.route("/inbox")
@login_required
def inbox():
    found = inboxes.inbox_of(_actor())
    if found is None:
        abort(404)
    return redirect(url_for(f"referrals.{found.value}_inbox"))


def inbox_page(inbox: Inbox):
    """An inbox page (also what a receiver's workbench shows)."""
    actor = _actor()
    if inboxes.inbox_of(actor) is not inbox:
        abort(404)
    filter_name = request.args.get("filter", "open")
    if filter_name not in FILTERS:
        filter_name = "open"
    try:
        page = max(1, bounded_int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    rows, total = inboxes.inbox_page(actor, inbox, filter_name, page)
    return render_template("referrals/inbox.html", inbox=inbox, title=INBOX_LABELS[inbox],
                           rows=rows, total=total, page=page, page_size=inboxes.PAGE_SIZE,
                           filter_name=filter_name, filters=FILTERS,
                           filter_labels=FILTER_LABELS, counts=inboxes.counts(actor, inbox),
                           unit=actor.unit)


@bp.route("/inbox/police")
@login_required
def police_inbox():
    return inbox_page(Inbox.police)


@bp.route("/inbox/procuratorate")
@login_required
def procuratorate_inbox():
    return inbox_page(Inbox.procuratorate)


@bp.route("/inbox/court")
@login_required
def court_inbox():
    return inbox_page(Inbox.court)


@bp.route("/referrals/<int:referral_id>")
@login_required
def detail(referral_id):
    try:
        referral = load_referral(referral_id, _actor(), ip=request.remote_addr)
    except NotFound:
        abort(404)
    return render_template("referrals/detail.html", **referral_page(referral, _actor()))


@bp.route("/referrals/<int:referral_id>/actions/<name>", methods=["GET", "POST"])
@login_required
def action(referral_id, name):
    """A receiver's action on the referred case: the case action form, back to this page."""
    actor = _actor()
    try:
        referral = load_referral(referral_id, actor, ip=request.remote_addr)
        spec = engine.get_action(name)
    except (NotFound, engine.UnknownAction):
        abort(404)
    if side_of(actor) is Side.bureau:
        return redirect(url_for("cases.action", case_id=referral.case_id, name=name))
    back = redirect(url_for("referrals.detail", referral_id=referral_id), 303)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.perform(referral.case_id, name, actor,
                             CombinedMultiDict([request.files, request.form]),
                             expected_version=version, ip=request.remote_addr)
        except Invalid as exc:
            errors, status = exc.errors, 422
            flash(exc.message(), "danger")
        except (Refused, Stale) as exc:
            flash(exc.message(), "danger")
            return back
        else:
            flash(_("已完成：%(action)s", action=_(spec.label)), "success")
            return back
    case = services.load_case(referral.case_id, actor)
    refusals = services.refusals_for(spec, case, actor, Facts(case))
    if refusals:
        flash(Refused(refusals).message(), "warning")
        return back
    form = build_form(spec, case, request.form if request.method == "POST" else None)
    return render_template("cases/action.html", case=case, referral=referral, action=spec,
                           form=form, errors=errors), status
