"""``GET /api/v1/stats/quarterly``: the quarterly statistics as JSON, or as the XLSX report."""
from flask import g, jsonify, request
from flask_babel import gettext as _

from enforcement.api.views import bp, error, token_required
from enforcement.campaigns import services, stats
from enforcement.campaigns.exports import XLSX_TYPE, columns
from enforcement.db import local_today
from enforcement.errors import Invalid, NotFound
from enforcement.query_args import bounded_int


def _query(user):
    today = stats.Quarter.of(local_today())
    errors = {}
    year = request.args.get("year", type=bounded_int) or today.year
    quarter = request.args.get("quarter", type=bounded_int) or today.quarter
    if not 2000 <= year <= 2100:
        errors["year"] = [_("年度无效")]
    if not 1 <= quarter <= 4:
        errors["quarter"] = [_("季度应为 1 至 4")]
    if errors:
        raise Invalid(errors)
    campaign = None
    if request.args.get("campaign_id"):
        campaign = services.get_campaign(
            user, request.args.get("campaign_id", type=bounded_int) or 0)
    unit_id = request.args.get("unit_id", type=bounded_int)
    if unit_id is not None and not services.manages_unit(user, unit_id):
        raise NotFound()
    return stats.Scope(user, campaign=campaign, unit_id=unit_id), stats.Quarter(year, quarter)


def _json_value(value):
    return str(value) if hasattr(value, "quantize") else value


def report_json(report) -> dict:
    return {
        "title": report.title, "year": report.quarter.year, "quarter": report.quarter.quarter,
        "period": {"from": report.quarter.first_day.isoformat(),
                   "until": report.quarter.next_first_day.isoformat()},
        "campaign_id": report.scope.campaign.id if report.scope.campaign else None,
        "unit_id": report.scope.unit_id,
        "definitions": {f.code: str(f.definition) for f in stats.FIGURES},
        "tables": [{
            "dimension": t.dimension, "title": str(t.title),
            "columns": [{"code": code, "label": label} for code, label in columns(t)],
            "rows": [{"key": getattr(r.key, "value", r.key), "label": r.label,
                      "values": {k: _json_value(v) for k, v in r.values.items()}}
                     for r in t.rows],
            "total": None if t.total is None else {
                k: _json_value(v) for k, v in t.total.values.items()}}
            for t in report.tables],
        "trend": [{"year": q.year, "quarter": q.quarter,
                   "values": {k: _json_value(v) for k, v in values.items()}}
                  for q, values in report.trend],
    }


@bp.get("/stats/quarterly")
@token_required
def quarterly_stats():
    user = g.api_user
    if not user.can("stats.read"):
        return error(403, "forbidden", _("您没有查看统计的权限"))
    scope, q = _query(user)
    report = stats.quarterly(scope, q)
    wants_xlsx = request.args.get("format") == "xlsx" or (
        request.accept_mimetypes.best_match(["application/json", XLSX_TYPE]) == XLSX_TYPE)
    if wants_xlsx:
        body = services.export(user, report, "xlsx", ip=request.remote_addr)
        from enforcement.campaigns.views import file_response

        return file_response(body, "xlsx", report.title)
    services.audit_read(user, "stats.api", ip=request.remote_addr, quarter=q.short,
                        campaign_id=scope.campaign.id if scope.campaign else None,
                        scope_unit_id=scope.unit_id)
    return jsonify(report_json(report))


def openapi_paths() -> dict:
    def query(name, description, schema):
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": schema}

    row = {"type": "object", "properties": {
        "key": {}, "label": {"type": "string"},
        "values": {"type": "object", "additionalProperties": {},
                   "description": "figure code -> value; money as decimal strings"}}}
    return {"/api/v1/stats/quarterly": {"get": {
        "summary": "Quarterly statistics of the city, a unit or a campaign "
                   "(JSON, or the XLSX report)",
        "description": "Figures as on the statistics page, each with its definition "
                       "(统计口径), in the caller's jurisdiction. XLSX when "
                       f"`Accept: {XLSX_TYPE}` or `format=xlsx`.",
        "security": [{"bearer": []}],
        "parameters": [
            query("year", "calendar year (default: this year)", {"type": "integer"}),
            query("quarter", "1–4 (default: this quarter)",
                  {"type": "integer", "minimum": 1, "maximum": 4}),
            query("campaign_id", "only the cases of this campaign", {"type": "integer"}),
            query("unit_id", "only this unit and the units below it", {"type": "integer"}),
            query("format", "xlsx for the spreadsheet", {"type": "string", "enum": ["xlsx"]})],
        "responses": {
            "200": {"description": "the statistics", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "title": {"type": "string"}, "year": {"type": "integer"},
                    "quarter": {"type": "integer"},
                    "definitions": {"type": "object", "additionalProperties": {
                        "type": "string"}},
                    "tables": {"type": "array", "items": {"type": "object", "properties": {
                        "dimension": {"type": "string",
                                      "enum": ["unit", "mark_type", "goods"]},
                        "columns": {"type": "array", "items": {"type": "object"}},
                        "rows": {"type": "array", "items": row},
                        "total": {"type": ["object", "null"]}}}},
                    "trend": {"type": "array", "items": {"type": "object"}}}}},
                XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
            "401": {"description": "missing or invalid bearer token"},
            "403": {"description": "no permission to read statistics"},
            "404": {"description": "campaign or unit outside the caller's jurisdiction"},
            "422": {"description": "bad year or quarter"}}}}}
