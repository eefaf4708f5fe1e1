"""Investigation documents: identification, records, measures, correction, report, review."""
from decimal import Decimal

from enforcement.documents.bidi import isolate
from enforcement.documents.context import common
from workflows.definition import ACTIONS_BY_NAME


def _label(action: str, field: str, value) -> str | None:
    return common.choice_label(ACTIONS_BY_NAME[action].field(field).choices, value)


def _lines(text) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def identification_notice(src) -> dict:
    owners = []
    for mark in common.marks(src.case):
        if mark["owner"] and mark["owner"] not in owners:
            owners.append(mark["owner"])
    return {"addressees": owners, "items": src.fields.get("items"),
            "reply_by": src.fields.get("reply_by")}


def inquiry_record(src) -> dict:
    return {"record": {"person": src.fields.get("person"), "on": src.fields.get("held_on"),
                       "person_id": src.fields.get("person_id"),
                       "place": src.fields.get("place"),
                       "content": src.fields.get("content"), "recorder": src.actor.full_name}}


def inspection_record(src) -> dict:
    return {"record": {"place": src.fields.get("place"), "on": src.fields.get("held_on"),
                       "content": src.fields.get("content"), "recorder": src.actor.full_name}}


def sampling_record(src) -> dict:
    return {"record": {"goods": src.fields.get("goods"), "quantity": src.fields.get("quantity"),
                       "spec": src.fields.get("spec"), "batch": src.fields.get("batch"),
                       "base_quantity": src.fields.get("base_quantity"),
                       "on": src.fields.get("held_on"),
                       "place": src.fields.get("place") or src.case.occurred_place,
                       "recorder": src.actor.full_name}}


def _property_items(rows) -> list[dict]:
    return [{"name": r.get("name"), "spec": r.get("spec") or "", "quantity": r.get("quantity"),
             "unit": r.get("unit") or "", "location": r.get("location") or "",
             "text": "".join(isolate(r.get(k) or "") for k in ("name", "spec", "quantity",
                                                               "unit"))}
            for r in rows or []]


def coercive_measure_decision(src) -> dict:
    items = _property_items(src.fields.get("goods"))
    return {"measure": {"label": _label("impose_measure", "measure", src.fields.get("measure")),
                        "goods": "\n".join(i["text"] for i in items),
                        "place": src.fields.get("place"),
                        "legal_basis": src.fields.get("legal_basis")}}


def property_list(src) -> dict:
    decision = src.documents.get("coercive_measure_decision")
    return {"measure": {"label": _label("impose_measure", "measure", src.fields.get("measure")),
                        "decision": common.document_ref(decision),
                        "place": src.fields.get("place")},
            "items": _property_items(src.fields.get("goods"))}


def correction_order(src) -> dict:
    return {"order": {"violation": src.fields.get("violation"),
                      "correct_by": src.fields.get("correct_by"),
                      "legal_basis": src.fields.get("legal_basis")}}


def _finding(case, fields=None) -> dict:
    """The investigation's outcome: this action's fields, or the last finish_investigation."""
    if fields is None:
        event = common.last_event(case, "finish_investigation")
        fields = event.data if event else {}
    return {"findings": fields.get("findings"),
            "outcome": _label("finish_investigation", "outcome", fields.get("outcome")),
            "proposed_fine": common.amount(fields.get("proposed_fine")),
            "penalty_items": fields.get("penalty_items")}


def investigation_report(src) -> dict:
    case = src.case
    volume = common.last_event(case, "compute_business_volume")
    return {"finding": _finding(case, src.fields),
            "filing": common.document_ref(common.latest_document(case, "filing_approval")),
            "evidence": common.evidence_items(case),
            "volume": _volume(volume),
            "measures": [_label("impose_measure", "measure", e.data.get("measure"))
                         for e in common.events(case, "impose_measure")],
            "reported_on": src.today.isoformat()}


def _volume(event) -> dict | None:
    """The 违法经营额 worksheet as the report shows it: each line, its value, and the total."""
    if event is None:
        return None
    spec = ACTIONS_BY_NAME["compute_business_volume"].field("lines")
    labels = {c.name: dict(c.choices) for c in spec.columns if c.choices}
    lines = [{"name": r["name"], "status": labels["status"][r["status"]],
              "quantity": r["quantity"], "unit": r.get("unit") or "",
              "price": common.amount(r["price"]),
              "basis": labels["price_basis"][r["price_basis"]],
              "value": common.amount(Decimal(r["quantity"]) * Decimal(r["price"]))}
             for r in event.data.get("lines") or []]
    return {"amount": common.amount(event.data.get("amount")), "lines": lines,
            "sold": common.amount(event.data.get("sold")),
            "unsold": common.amount(event.data.get("unsold")),
            "note": event.data.get("note")}


def review_form(src) -> dict:
    case = src.case
    finished = common.last_event(case, "finish_investigation")
    return {"finding": _finding(case),
            "finished_on": common.event_day(finished),
            "finished_by": finished.actor.full_name if finished and finished.actor else None,
            "review": {"opinion": src.fields.get("opinion"), "by": src.actor.full_name,
                       "on": src.today.isoformat(),
                       "hearing_rights": bool(src.fields.get("hearing_rights"))}}


def statement_record(src) -> dict:
    return {"statement": {"kind": _label("record_statement", "kind", src.fields.get("kind")),
                          "is_waiver": src.fields.get("kind") == "waiver",
                          "content": src.fields.get("content"),
                          "re_examination": src.fields.get("re_examination"),
                          "on": src.today.isoformat(), "recorder": src.actor.full_name}}


BUILDERS = {fn.__name__: fn for fn in (
    identification_notice, inquiry_record, inspection_record, sampling_record,
    coercive_measure_decision, property_list, correction_order, investigation_report,
    review_form, statement_record,
)}
