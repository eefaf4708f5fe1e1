"""The audit log, for the security auditor (三权分立: no case or user administration)."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from enforcement.audit.models import AuditEntry
from enforcement.audit.services import verify_chain
from enforcement.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.route("/")
@login_required
def index():
    if not current_user.can("audit.read"):
        abort(403)
    action = request.args.get("action", "")[:60]
    actor = request.args.get("actor", "")[:64]
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(AuditEntry.actor_name == actor)
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    entries = db.session.scalars(query.order_by(AuditEntry.seq.desc())
                                 .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("audit/index.html", entries=entries, total=total, page=page,
                           page_size=PAGE_SIZE, action=action, actor=actor,
                           chain=verify_chain() if request.args.get("verify") else None)
