"""The audit log, for the security auditor (三权分立: no case or user administration)."""
from flask import (Blueprint, abort, current_app, render_template, request,
                   stream_with_context)
from flask_login import current_user, login_required

from enforcement.audit import browse
from enforcement.audit.services import verify_chain
from enforcement.db import local_today

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.before_request
@login_required
def _auditors_only():
    """Only ``audit.read`` opens these pages; every refusal of a signed-in user is audited."""
    if not current_user.can("audit.read"):
        browse.record_denied(current_user._get_current_object(), request.path,
                             ip=request.remote_addr)
        abort(403)


@bp.route("/")
def index():
    filters = browse.parse_filters(request.args)
    entries, total = browse.page_of(filters)
    units = browse.units()
    return render_template("audit/index.html", entries=entries, total=total, filters=filters,
                           args=filters.args(), page_size=browse.PAGE_SIZE, units=units,
                           unit_names={u.id: u.name for u in units},
                           detail_text=browse.detail_text,
                           chain=verify_chain() if request.args.get("verify") else None), \
        400 if filters.errors else 200


@bp.route("/export.csv")
def export():
    filters = browse.parse_filters(request.args)
    if filters.errors:
        return index()
    browse.record_export(current_user._get_current_object(), filters, ip=request.remote_addr)
    response = current_app.response_class(
        stream_with_context(browse.csv_lines(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="audit-log-{local_today():%Y%m%d}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response
