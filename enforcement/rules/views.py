"""Rule data: every version with its effective date and source (staff read), kept by admins."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.rules import services
from enforcement.rules.catalogue import CONFIDENCE, RULE_KINDS
from enforcement.rules.forms import figures, rule_form
from enforcement.rules.models import Rule

bp = Blueprint("rules", __name__, url_prefix="/rules")


@bp.app_template_global("case_assessment")
def case_assessment(case):
    """The fine cap, repeat flags and criminal thresholds of a case, for the decision forms."""
    from enforcement.rules.assessment import CRIMES, assess

    return {"a": assess(case, local_today()), "crimes": CRIMES, "kinds": RULE_KINDS,
            "confidence": CONFIDENCE}


def _may_read():
    if not (current_user.can("admin.rules") or current_user.can("case.read")):
        abort(403)


def _may_edit():
    if not current_user.can("admin.rules"):
        abort(403)


@bp.route("/")
@login_required
def index():
    _may_read()
    today = local_today()
    rows = {code: services.versions(code) for code in RULE_KINDS}
    in_force = {code: services.in_force(code, today) for code in RULE_KINDS}
    used = services.applications_count(r.id for versions in rows.values() for r in versions)
    return render_template("rules/index.html", kinds=RULE_KINDS, rows=rows, in_force=in_force,
                           used=used, confidence=CONFIDENCE)


@bp.route("/<code>/new", methods=["GET", "POST"])
@login_required
def new(code):
    _may_edit()
    kind = RULE_KINDS.get(code) or abort(404)
    # a new version starts from the figures in force, to be changed where the law changed
    form = rule_form(kind, services.in_force(code, local_today()),
                     request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate() and not _date_taken(code, form):
        rule = services.add(_entry(code, kind, form), current_user._get_current_object(),
                            ip=request.remote_addr)
        flash(_("已新增规则版本，自 %(day)s 起施行", day=rule.effective_from.isoformat()),
              "success")
        return redirect(url_for("rules.index", _anchor=code), 303)
    return render_template("rules/edit.html", kind=kind, form=form, rule=None)


@bp.route("/versions/<int:rule_id>/edit", methods=["GET", "POST"])
@login_required
def edit(rule_id):
    _may_edit()
    rule = db.session.get(Rule, rule_id) or abort(404)
    kind = RULE_KINDS[rule.code]
    if services.applications_count([rule.id]):
        flash(_("该版本已被案件适用，不能修改；如规定变化，请新增一个版本。"), "warning")
        return redirect(url_for("rules.index", _anchor=rule.code))
    form = rule_form(kind, rule, request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.effective_from.data = rule.effective_from
    if request.method == "POST" and form.validate() and not _date_taken(rule.code, form, rule):
        services.correct(rule, _entry(rule.code, kind, form), current_user._get_current_object(),
                         ip=request.remote_addr)
        flash(_("规则版本已更正"), "success")
        return redirect(url_for("rules.index", _anchor=rule.code), 303)
    return render_template("rules/edit.html", kind=kind, form=form, rule=rule)


def _date_taken(code, form, rule=None) -> bool:
    """One version per rule and day (the day decides which version a case applies)."""
    day = form.effective_from.data
    if any(v.effective_from == day and v is not rule for v in services.versions(code)):
        form.effective_from.errors = [_("该日期已有一个版本，请修改施行日期或更正该版本")]
        return True
    return False


def _entry(code, kind, form) -> services.RuleEntry:
    return services.RuleEntry(code=code, effective_from=form.effective_from.data,
                              value=figures(kind, form), source=form.source.data.strip(),
                              confidence=form.confidence.data, note=form.note.data or "")
