"""Cases as JSON."""
from flask import url_for
from flask_babel import gettext as _

from enforcement.cases.action_forms import field_choices, json_schema
from enforcement.cases.presenters import case_page
from enforcement.main.helpers import state_label


def case_summary(case) -> dict:
    return {
        "id": case.id,
        "report_no": case.report_no,
        "case_no": case.case_no,
        "state": case.state.value,
        "state_label": state_label(case.state),
        "stage": case.stage.value if case.stage else None,
        "version": case.version,
        "unit": case.unit.name,
        "cause": case.cause,
        "updated_at": case.updated_at.isoformat(),
    }


def _choices(spec, case) -> list[dict] | None:
    if spec.kind == "choice":
        return [{"value": value, "label": _(label)} for value, label in spec.choices]
    if spec.kind in ("users", "unit", "document") and case is not None:
        return [{"value": value, "label": str(label)} for value, label in field_choices(spec, case)]
    return None


def form_field(spec, case=None) -> dict:
    """One field as the web form shows it, from the same ``Field`` spec: what a client needs
    to draw the form (label, help, choices of this case, the columns of a table of rows)."""
    field = {"name": spec.name, "kind": spec.kind, "label": _(spec.label),
             "required": spec.required and spec.kind != "bool",
             "help": _(spec.help) if spec.help else ""}
    choices = _choices(spec, case)
    if choices is not None:
        field["choices"] = choices
    if spec.kind == "users":
        field["min_selected"] = int(spec.option or 1)
    if spec.kind in ("text", "textarea"):
        field["max_length"] = spec.max_length
    if spec.kind == "rows":
        field["columns"] = [form_field(column, case) for column in spec.columns]
        field["min_rows"], field["max_rows"] = spec.min_rows, spec.max_rows
    return field


def body_schema(action, case=None) -> dict:
    """The JSON schema of the action's request body; with a case, its per-case choices."""
    properties, required = {}, []
    for spec in action.fields:
        schema = json_schema(spec)
        if case is not None and spec.kind in ("unit", "document"):
            schema["enum"] = [value for value, _label in field_choices(spec, case)]
        elif spec.kind == "users":
            schema["items"] = {"type": "integer"}
            if case is not None:
                schema["items"]["enum"] = [v for v, _l in field_choices(spec, case)]
            schema["minItems"] = int(spec.option or 1)
        if spec.kind in ("text", "textarea"):
            schema["maxLength"] = spec.max_length
        properties[spec.name] = schema
        if spec.required and spec.kind != "bool":
            required.append(spec.name)
    schema = {"type": "object", "title": _(action.label), "properties": properties,
              "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def action_schema(action, case) -> dict:
    schema = body_schema(action, case)
    schema.pop("title")
    return {"name": action.name, "label": _(action.label), "basis": _(action.basis) if
            action.basis else "", "tone": action.tone,
            "method": "POST", "path": f"/api/v1/cases/{case.id}/actions/{action.name}",
            "content_type": "multipart/form-data" if any(
                spec.kind == "files" for spec in action.fields) else "application/json",
            "fields": schema, "form": [form_field(spec, case) for spec in action.fields]}


def _iso(value):
    return value.isoformat() if value is not None else None


def deadline(view) -> dict:
    """A clock as the API shows it (status as of today: see ``clocks.presenters``)."""
    clock = view.clock
    return {
        "kind": clock.kind, "label": str(view.kind.label), "status": view.status,
        "started_on": clock.started_on.isoformat(), "length": clock.length + clock.extended,
        "unit": clock.unit, "extensions": clock.extensions,
        "due_on": _iso(clock.due_on), "due_at": _iso(clock.due_at),
        "days_left": view.days_left, "working_days_left": view.working_days_left,
        # the year whose holiday notice is missing, and an estimate that is only that
        "calendar_missing_year": clock.unknown_year,
        "estimated_due_on": _iso(clock.estimated_due_on),
        "basis": str(view.kind.basis),
    }


def action_result(outcome) -> dict:
    """What an action did, from what it wrote (no further reads): the case's new state and
    version, its event, the documents it issued."""
    case, event = outcome.case, outcome.event
    return {
        "id": case.id, "state": case.state.value, "version": case.version,
        "event": {"id": event.id, "action": event.action, "at": event.at.isoformat()},
        "documents": [{"id": d.id, "type": d.doc_type, "number": d.number, "title": d.title,
                       "href": url_for("api.get_document", document_id=d.id)}
                      for d in outcome.documents],
        "links": {"case": url_for("api.get_case", case_id=case.id)},
    }


def case_detail(case, user) -> dict:
    page = case_page(case, user, page=False)
    return {
        **case_summary(case),
        "summary": case.summary,
        "district": case.district,
        "occurred_on": case.occurred_on.isoformat() if case.occurred_on else None,
        "parties": [{"name": cp.party.name, "kind": cp.party.kind.value} for cp in case.parties],
        "marks": [{"reg_no": m.reg_no, "name": m.name} for m in case.marks],
        "inspectors": [{"id": u.id, "name": u.full_name} for u in case.inspectors],
        "deadlines": [deadline(c) for c in page["clocks"]],
        "allowed_actions": [action_schema(a, case) for a in page["allowed"]],
        "documents": [{"id": d.id, "type": d.doc_type, "title": d.title, "number": d.number,
                       "issued_at": d.issued_at.isoformat(),
                       "served_at": d.served_at.isoformat() if d.served_at else None}
                      for d in page["documents"]],
        "timeline": [{"action": e.action, "from_state": e.from_state.value,
                      "to_state": e.to_state.value, "at": e.at.isoformat(),
                      "actor": e.actor.full_name if e.actor else None, "data": e.data}
                     for e in case.events],
    }
