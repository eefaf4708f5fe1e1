"""Changing a case: the one way a workflow action is taken, all or nothing."""
import functools
import logging
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from enforcement.audit import services as audit
from enforcement.campaigns import facts as stats_facts
from enforcement.cases import effects as case_effects
from enforcement.cases.action_forms import build_form, cleaned
from enforcement.cases.facts import Facts
from enforcement.cases.models import Case, CaseEvent
from enforcement.cases.scope import acts_for, visible_cases
from enforcement.cases.validation import cross_field_errors
from enforcement.clocks import services as clocks
from enforcement.db import local_today, utcnow
from enforcement.documents import services as documents
from enforcement.errors import Invalid, NotFound, Refused, Stale
from enforcement.extensions import db
from enforcement.notifications import services as notifications
from workflows import engine

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    case: Case
    event: CaseEvent
    documents: list


def load_case(case_id: int, actor, *, ip=None, options=()) -> Case:
    """The case if the actor may read it; otherwise NotFound, and the denial is audited.

    One query: the row and the jurisdiction check together (``visible_cases``); ``options``
    load what the caller will read of it with it (e.g. the case page's)."""
    case = db.session.scalar(select(Case).where(Case.id == case_id,
                                                visible_cases(actor, inline=True))
                             .options(*options))
    if case is None:
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
        _commit_keeping_state()
    except Exception:
        db.session.rollback()
        raise
    log.info("case %s: %s by %s", case_id, action_name, actor.username)
    return outcome


def _commit_keeping_state() -> None:
    """Commit without expiring what the action loaded and wrote: the caller answers with the
    case as this action left it (its version is the one the client must send next), and does
    not read it all back. Anything not loaded yet is read afresh when first used."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _claim(case, from_state, event: CaseEvent) -> None:
    """Raise the version from the one this action was checked against, or refuse as stale;
    and add the action's event.

    One conditional UPDATE: a concurrent writer of the same case either waits for ours and
    then matches no row (PostgreSQL re-checks the WHERE), or has already moved the version.
    Every action raises it exactly once, self-loops included. The new state (already set on
    the case by the machine) is written by the same statement. On PostgreSQL the event row is
    inserted by that statement too (the UPDATE in a WITH, the INSERT selecting from it: no
    claimed row, no event); elsewhere it is flushed right after.
    """
    moves = case.state is not from_state
    params = {"claim_id": case.id, "claim_version": case.version, "claim_at": event.at,
              "claim_state": case.state}
    # plain statements on the session's connection: the state goes in this statement, not in
    # a flush before it, and no unit of work is needed
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        params.update({f"event_{name}": getattr(event, name) for name in _EVENT_COLUMNS})
        event.id = conn.execute(_claim_statement(moves, with_event=True), params).scalar()
        if event.id is None:
            raise Stale()
        _attach(case, event)
    else:
        if conn.execute(_claim_statement(moves, with_event=False), params).rowcount != 1:
            raise Stale()
        event.case = case
        db.session.add(event)
    set_committed_value(case, "version", case.version + 1)
    set_committed_value(case, "state", case.state)
    set_committed_value(case, "updated_at", event.at)


_EVENT_COLUMNS = ("action", "from_state", "to_state", "actor_id", "at", "data")


@functools.cache
def _claim_statement(moves: bool, *, with_event: bool):
    """The claim (built once per variant): with the new state or not, inserting the event
    from a WITH or not."""
    column = Case.__table__.c
    values = {"version": Case.version + 1,
              "updated_at": bindparam("claim_at", type_=column.updated_at.type)}
    if moves:
        values["state"] = bindparam("claim_state", type_=column.state.type)
    claim = update(Case).where(Case.id == bindparam("claim_id"),
                               Case.version == bindparam("claim_version")).values(**values)
    if not with_event:
        return claim
    claimed = claim.returning(Case.id).cte("claimed")
    event_column = CaseEvent.__table__.c
    return insert(CaseEvent).from_select(
        ["case_id", *_EVENT_COLUMNS],
        select(claimed.c.id, *(bindparam(f"event_{name}", type_=event_column[name].type)
                               for name in _EVENT_COLUMNS))
    ).add_cte(claimed).returning(CaseEvent.id)


def _attach(case, event: CaseEvent) -> None:
    """Make the event, inserted by a statement of our own, a persistent object of the session
    as a flush would have (and part of the case's timeline if that is loaded)."""
    make_transient_to_detached(event)
    db.session.add(event)
    set_committed_value(event, "case", case)
    if "events" in case.__dict__:
        set_committed_value(case, "events", [*case.events, event])


def _apply(case, action, actor, data, ip, uploads) -> Outcome:
    from_state = case.state
    engine.fire(action, case)  # in memory only: the claim below writes the state
    event = CaseEvent(case_id=case.id, action=action.name, from_state=from_state,
                      to_state=case.state, actor_id=actor.id, at=utcnow(), data=data)
    _claim(case, from_state, event)
    if stats_facts.action_counts(action.name):
        stats_facts.mark(case.id)  # the claim's own statement is no flush the marks see
    db.session.flush()  # documents, clock events and effects refer to the event's id
    ctx = case_effects.EffectContext(case=case, actor=actor, data=data, event=event,
                                     uploads=uploads)
    year = local_today().year
    for code in action.documents:
        ctx.documents[code] = documents.issue(
            case, code, actor=actor, event=event, data=case_effects.document_data(ctx, code),
            year=year)
    clocks.apply(case, action.clocks, cause=clocks.cause_from(event))
    effect = case_effects.EFFECTS.get(action.name)
    if effect is not None:
        effect(ctx)
    notifications.on_action(ctx)  # outbox rows commit with the action, or not at all
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
