"""Changing a case: the one way a workflow action is taken, all or nothing."""
import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from enforcement.audit import services as audit
from enforcement.cases import effects as case_effects
from enforcement.cases.action_forms import build_form, cleaned
from enforcement.cases.facts import Facts
from enforcement.cases.models import Case, CaseEvent
from enforcement.cases.scope import acts_for, can_read
from enforcement.cases.validation import cross_field_errors
from enforcement.clocks import services as clocks
from enforcement.db import local_today, utcnow
from enforcement.documents import services as documents
from enforcement.errors import Invalid, NotFound, Refused, Stale
from enforcement.extensions import db
from workflows import engine

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    case: Case
    event: CaseEvent
    documents: list


def load_case(case_id: int, actor, *, ip=None) -> Case:
    """The case if the actor may read it; otherwise NotFound, and the denial is audited."""
    case = db.session.get(Case, case_id)
    if case is None or not can_read(actor, case):
        db.session.rollback()
        audit.record("access.denied", actor=actor, obj_type="case", obj_id=case_id, ip=ip,
                     reason="not_visible")
        db.session.commit()
        raise NotFound()
    return case


def allowed_actions(case: Case, actor, facts: Facts | None = None) -> list:
    """The actions this user may take on this case now (the same guards as :func:`perform`)."""
    facts = facts or Facts(case)
    return [action for action in engine.actions_from(case.state)
            if not refusals_for(action, case, actor, facts)]


def refusals_for(action, case, actor, facts):
    return engine.refusals(action, case.state, actor.can,
                           lambda side: acts_for(actor, case, side), facts)


def perform(case_id: int, action_name: str, actor, formdata, *, expected_version=None,
            ip=None) -> Outcome:
    """Take a workflow action: validate, fire, record, issue, audit, commit — or change nothing.

    ``formdata`` is a MultiDict (a browser form, or an API body through
    ``json_to_formdata``). ``expected_version`` is the version the user saw.
    """
    case = load_case(case_id, actor, ip=ip)
    try:
        action = engine.get_action(action_name)
    except engine.UnknownAction:
        raise NotFound() from None
    if expected_version is not None and case.version != expected_version:
        raise Stale()
    facts = Facts(case)
    refusals = refusals_for(action, case, actor, facts)
    if refusals:
        _audit_refusal(case, action, actor, refusals, ip)
        raise Refused(refusals)
    form = build_form(action, case, formdata)
    if not form.validate():
        raise Invalid({name: list(errs) for name, errs in form.errors.items()})
    data = cleaned(form, action)
    uploads = {spec.name: form[spec.name].data for spec in action.fields if spec.kind == "files"}
    errors = cross_field_errors(action, case, facts, data)
    if errors:
        raise Invalid({name: [msg] for name, msg in errors.items()})
    try:
        outcome = _apply(case, action, actor, data, ip, uploads)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("case %s: %s by %s", case_id, action_name, actor.username)
    return outcome


def _claim(case) -> None:
    """Raise the version from the one this action was checked against, or refuse as stale.

    One conditional UPDATE: a concurrent writer of the same case either waits for ours and
    then matches no row (PostgreSQL re-checks the WHERE), or has already moved the version.
    Every action raises it exactly once, self-loops included.
    """
    result = db.session.execute(
        update(Case).where(Case.id == case.id, Case.version == case.version)
        .values(version=Case.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Stale()
    set_committed_value(case, "version", case.version + 1)


def _apply(case, action, actor, data, ip, uploads) -> Outcome:
    _claim(case)
    from_state = case.state
    engine.fire(action, case)
    event = CaseEvent(case=case, action=action.name, from_state=from_state,
                      to_state=case.state, actor_id=actor.id, data=data)
    db.session.add(event)
    db.session.flush()
    ctx = case_effects.EffectContext(case=case, actor=actor, data=data, event=event,
                                     uploads=uploads)
    year = local_today().year
    for code in action.documents:
        ctx.documents[code] = documents.issue(
            case, code, actor=actor, event=event, data=case_effects.document_data(ctx, code),
            year=year)
    clocks.apply(case, action.clocks)
    effect = case_effects.EFFECTS.get(action.name)
    if effect is not None:
        effect(ctx)
    db.session.flush()
    _start_closing_clock(case)
    audit.record(f"case.{action.name}", actor=actor, obj_type="case", obj_id=case.id,
                 unit_id=case.unit_id, ip=ip, from_state=from_state.value,
                 to_state=case.state.value, version=case.version,
                 documents=[d.number or d.title for d in ctx.documents.values()])
    return Outcome(case=case, event=event, documents=list(ctx.documents.values()))


def _start_closing_clock(case) -> None:
    """Once the last obligation is met, the case must be closed within its period."""
    close = engine.get_action("close")
    if case.state not in close.sources or clocks.open_clock(case, "closing") is not None:
        return
    facts = Facts(case)
    if all(guard.check(facts) for guard in close.guards):
        clocks.start(case, "closing")


def _audit_refusal(case, action, actor, refusals, ip):
    case_id, unit_id = case.id, case.unit_id
    db.session.rollback()
    audit.record("case.refused", actor=actor, obj_type="case", obj_id=case_id,
                 unit_id=unit_id, ip=ip, action=action.name,
                 reasons=[r.code for r in refusals])
    db.session.commit()
