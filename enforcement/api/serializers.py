"""Cases as JSON."""
from flask_babel import gettext as _

from enforcement.cases.action_forms import JSON_TYPES, field_choices
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


def action_schema(action, case) -> dict:
    properties, required = {}, []
    for spec in action.fields:
        schema = {**JSON_TYPES[spec.kind], "title": _(spec.label)}
        if spec.kind == "choice":
            schema["enum"] = [value for value, _label in spec.choices]
        elif spec.kind in ("unit", "document"):
            schema["enum"] = [value for value, _label in field_choices(spec, case)]
        elif spec.kind == "users":
            schema["items"] = {"type": "integer",
                               "enum": [v for v, _l in field_choices(spec, case)]}
            schema["minItems"] = int(spec.option or 1)
        if spec.kind in ("text", "textarea"):
            schema["maxLength"] = spec.max_length
        properties[spec.name] = schema
        if spec.required and spec.kind != "bool":
            required.append(spec.name)
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return {"name": action.name, "label": _(action.label), "basis": _(action.basis) if
            action.basis else "", "fields": schema}


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


def case_detail(case, user) -> dict:
    page = case_page(case, user)
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
