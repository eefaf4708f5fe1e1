"""``GET /api/v1/referrals``: the referrals a token's user may see, for a police or court
system that integrates without the web UI; it acts through the case action endpoint."""
from flask import g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from enforcement.api.views import bp, token_required
from enforcement.cases.facts import Facts
from enforcement.cases.models import Case
from enforcement.cases.services import allowed_actions
from enforcement.errors import Invalid
from enforcement.query_args import bounded_int
from enforcement.extensions import db
from enforcement.referrals import inbox as inboxes
from enforcement.referrals.inbox import FILTERS, PAGE_SIZE, Row
from enforcement.referrals.models import Referral, ReferralKind
from workflows.definition import STATE_LABELS


def _time(moment) -> str | None:
    return moment.isoformat() if moment else None


def clock_json(view) -> dict:
    clock = view.clock
    return {"kind": clock.kind, "label": str(view.kind.label), "status": view.status,
            "started_on": clock.started_on.isoformat(),
            "due_on": clock.due_on.isoformat() if clock.due_on else None,
            "due_at": _time(clock.due_at), "basis": clock.basis}


def referral_json(row: Row, user) -> dict:
    referral, case = row.referral, row.case
    actions = []
    if row.current:
        actions = [{"name": a.name, "label": _(a.label),
                    "href": url_for("api.take_action", case_id=case.id, name=a.name)}
                   for a in allowed_actions(case, user, Facts(case))]
    return {
        "id": referral.id,
        "kind": referral.kind.value,
        "status": row.status,
        "status_label": str(row.status_label),
        "current": row.current,
        "overdue": row.overdue,
        "case": {"id": case.id, "number": case.number, "cause": case.cause,
                 "state": case.state.value, "state_label": _(STATE_LABELS[case.state]),
                 "version": case.version, "unit": case.unit.name},
        "unit": referral.unit.name,
        "copy_unit": referral.copy_unit.name if referral.copy_unit else None,
        "received_at": _time(referral.created_at),
        "acknowledged_at": _time(referral.acknowledged_at),
        "receiver_case_no": referral.receiver_case_no,
        "forwarded_from_id": referral.forwarded_from_id,
        "forwarded_at": _time(referral.forwarded_at),
        "supplement_requested_at": _time(referral.supplement_requested_at),
        "supplement_request": referral.supplement_request,
        "supplement_supplied_at": _time(referral.supplement_supplied_at),
        "accepted_at": _time(referral.accepted_at),
        "declined_at": _time(referral.declined_at),
        "decline_ground": referral.decline_ground.value if referral.decline_ground else None,
        "decline_reasons": referral.decline_reasons,
        "reconsideration_requested_at": _time(referral.reconsideration_requested_at),
        "hears_parties": referral.hears_parties,
        "ruling": referral.ruling.value if referral.ruling else None,
        "ruling_reasons": referral.ruling_reasons,
        "ruled_at": _time(referral.ruled_at),
        "clocks": [clock_json(c) for c in row.clocks],
        "allowed_actions": actions,
        "links": {
            "packet": url_for("api.get_referral_packet", referral_id=referral.id),
            "case": url_for("api.get_case", case_id=case.id),
            "web": url_for("referrals.detail", referral_id=referral.id),
        },
    }


def _page() -> int:
    try:
        page = bounded_int(request.args.get("page", "1"))
    except ValueError:
        raise Invalid({"page": [_("页码必须是整数")]}) from None
    if page < 1:
        raise Invalid({"page": [_("页码必须是正整数")]})
    return page


@bp.get("/referrals")
@token_required
def list_referrals():
    """Referrals sent to the user's unit (or copied to its area, or of its cases), newest
    first; ``filter`` open (default all), overdue; ``kind`` police or court."""
    user, page = g.api_user, _page()
    filter_name = request.args.get("filter", "all")
    if filter_name not in FILTERS:
        raise Invalid({"filter": [_("filter 只能是 open、overdue 或 all")]})
    where = [inboxes.visible_referrals(user), inboxes.filter_clause(filter_name)]
    kind = request.args.get("kind")
    if kind:
        if kind not in {k.value for k in ReferralKind}:
            raise Invalid({"kind": [_("kind 只能是 police 或 court")]})
        where.append(Referral.kind == ReferralKind(kind))
    base = select(Referral).join(Case, Case.id == Referral.case_id).where(and_(*where))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    referrals = db.session.scalars(
        base.options(joinedload(Referral.unit), joinedload(Referral.copy_unit))
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique().all()
    rows = inboxes.rows_for(list(referrals))
    return jsonify({"items": [referral_json(r, user) for r in rows], "total": total,
                    "page": page, "page_size": PAGE_SIZE})


def openapi_paths() -> dict:
    def query(name, description, values):
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": {"type": "string", "enum": values}}

    clock = {"type": "object", "properties": {
        "kind": {"type": "string"}, "label": {"type": "string"}, "status": {"type": "string"},
        "started_on": {"type": "string", "format": "date"},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "basis": {"type": "string"}}}
    nullable_time = {"type": ["string", "null"], "format": "date-time"}
    item = {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["police", "court"]},
        "status": {"type": "string", "enum": list(inboxes.STATUS_LABELS)},
        "status_label": {"type": "string"}, "current": {"type": "boolean"},
        "overdue": {"type": "boolean"},
        "case": {"type": "object", "properties": {
            "id": {"type": "integer"}, "number": {"type": "string"},
            "cause": {"type": "string"}, "state": {"type": "string"},
            "version": {"type": "integer"}, "unit": {"type": "string"}}},
        "unit": {"type": "string"}, "copy_unit": {"type": ["string", "null"]},
        "received_at": {"type": "string", "format": "date-time"},
        "acknowledged_at": nullable_time, "receiver_case_no": {"type": ["string", "null"]},
        "forwarded_from_id": {"type": ["integer", "null"]}, "forwarded_at": nullable_time,
        "supplement_requested_at": nullable_time,
        "supplement_request": {"type": ["string", "null"]},
        "supplement_supplied_at": nullable_time, "accepted_at": nullable_time,
        "declined_at": nullable_time,
        "decline_ground": {"type": ["string", "null"],
                           "enum": ["no_crime", "below_threshold", "time_barred",
                                    "other_exemption", None]},
        "decline_reasons": {"type": ["string", "null"]},
        "reconsideration_requested_at": nullable_time, "hears_parties": {"type": "boolean"},
        "ruling": {"type": ["string", "null"], "enum": ["enforce", "refuse", None]},
        "ruling_reasons": {"type": ["string", "null"]}, "ruled_at": nullable_time,
        "clocks": {"type": "array", "items": clock},
        "allowed_actions": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "label": {"type": "string"},
            "href": {"type": "string"}}}},
        "links": {"type": "object", "properties": {
            "packet": {"type": "string"}, "case": {"type": "string"},
            "web": {"type": "string"}}}}}
    return {"/api/v1/referrals": {"get": {
        "summary": "Referrals the user may see: a police unit's transfers, a procuratorate's "
                   "copies in its area, a court's enforcement applications, a bureau's own; "
                   "each with its clocks, the receiver's record, the packet link and the "
                   "case actions the user may take now (POST them to the case action "
                   "endpoint, the case's version in If-Match)",
        "operationId": "list_referrals",
        "security": [{"bearer": []}],
        "parameters": [
            query("filter", "open: waiting for the receiver; overdue: a clock past due; "
                            "all (default)", list(FILTERS)),
            query("kind", "police or court", ["police", "court"]),
            {"name": "page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1}}],
        "responses": {
            "200": {"description": "one page of referrals", "content": {"application/json": {
                "schema": {"type": "object", "properties": {
                    "items": {"type": "array", "items": item}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "page_size": {"type": "integer"}}}}}},
            "401": {"description": "missing or invalid bearer token"},
            "422": {"description": "bad query"}}}}}
