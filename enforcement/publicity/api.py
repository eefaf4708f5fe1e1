"""``GET /api/v1/public/penalties``: the published penalties, paged and filtered, no login."""
from flask import jsonify, request

from enforcement.api.views import bp
from enforcement.publicity import queries

MAX_PAGE_SIZE = 100


def entry_json(entry) -> dict:
    """What the public page shows of an entry (the summary), nothing more."""
    return {"id": entry.id, "decision_number": entry.decision_number,
            "party_name": entry.party_name, "party_identifier": entry.party_identifier,
            "violation_type": entry.violation_type, "marks": entry.marks,
            "penalty": entry.penalty, "authority": entry.authority,
            "decided_on": entry.decided_on.isoformat(), "district": entry.district,
            "typical": entry.typical}


@bp.get("/public/penalties")
def public_penalties():
    filters = queries.filters_from(request.args)
    size = request.args.get("page_size", "")
    given = size.isascii() and size.isdigit() and int(size) > 0
    page_size = min(int(size), MAX_PAGE_SIZE) if given else queries.PAGE_SIZE
    rows, has_next = queries.page_of(filters, page_size)
    response = jsonify({"items": [entry_json(e) for e in rows], "page": filters.page,
                        "page_size": page_size, "has_next": has_next})
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


def openapi_paths() -> dict:
    def query(name, description, schema=None):
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": schema or {"type": "string"}}

    item = {"type": "object", "properties": {
        "id": {"type": "integer"}, "decision_number": {"type": "string"},
        "party_name": {"type": "string"},
        "party_identifier": {"type": ["string", "null"],
                             "description": "credit code, or a natural person's masked ID"},
        "violation_type": {"type": "string"}, "marks": {"type": "string"},
        "penalty": {"type": "string"}, "authority": {"type": "string"},
        "decided_on": {"type": "string", "format": "date"}, "district": {"type": "string"},
        "typical": {"type": "boolean"}}}
    return {"/api/v1/public/penalties": {"get": {
        "summary": "Published penalty decisions (public, no authentication)",
        "parameters": [
            query("party", "words in the party's name"),
            query("code", "unified social credit code (exact)"),
            query("mark", "words in a mark's name"),
            query("district", "district code, e.g. linhe"),
            query("from", "decided on or after", {"type": "string", "format": "date"}),
            query("to", "decided on or before", {"type": "string", "format": "date"}),
            query("page", "page number from 1", {"type": "integer", "minimum": 1}),
            query("page_size", "entries a page, at most 100",
                  {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE})],
        "responses": {"200": {"description": "one page of published penalties", "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "items": {"type": "array", "items": item}, "page": {"type": "integer"},
                "page_size": {"type": "integer"}, "has_next": {"type": "boolean"}}}}}}}}}}
