"""Timed effects: what happens by itself when a clock's period ends (DESIGN §3, §6).

Another area hooks in from one of its modules that the app imports (its views or services)::

    from enforcement.clocks.timed import on_lapse

    @on_lapse("publication_period")
    def take_down(case, clock):
        # the information comes down by itself at the end of its period (Order 45 Art. 13)
        publicity.take_down(case, reason="公示期满")

``clocks sweep`` calls a hook once per clock, in the same transaction as the status change
that the hook follows (running → lapsed for ``on_lapse``, running → overdue for
``on_overdue``); that change is a conditional UPDATE, so of several sweeps running at once only
one makes it, and only that one runs the hook. A hook only adds or changes rows (it never
commits); if it raises, the status change rolls back with it and the next sweep tries again.
"""
from collections.abc import Callable

_HOOKS: dict[tuple[str, str], list[Callable]] = {}


def _register(event: str, kind: str):
    def decorator(fn: Callable) -> Callable:
        hooks = _HOOKS.setdefault((event, kind), [])
        if fn not in hooks:
            hooks.append(fn)
        return fn
    return decorator


def on_lapse(kind: str):
    """Run ``fn(case, clock)`` when a window of ``kind`` runs out."""
    return _register("lapse", kind)


def on_overdue(kind: str):
    """Run ``fn(case, clock)`` when a deadline of ``kind`` passes unmet."""
    return _register("overdue", kind)


def hooks(event: str, kind: str) -> list[Callable]:
    return list(_HOOKS.get((event, kind), ()))


# -- built in: the court-application period (行政强制法 Art. 53) ---------------------------------
@on_lapse("review_period")
@on_lapse("litigation_period")
def start_court_application(case, clock):
    """Once neither review nor litigation can be sought any more and the fine is unpaid, the
    bureau has three months to apply to the court (行政强制法 Art. 53)."""
    # imported here: other areas import this module to register their hooks, so at import
    # time it must need nothing of theirs
    from sqlalchemy import select

    from enforcement.cases.facts import Facts
    from enforcement.cases.models import Case
    from enforcement.clocks import services as clocks
    from enforcement.clocks.calendar import N_
    from enforcement.clocks.models import Clock
    from enforcement.extensions import db
    from workflows.states import CaseState

    # one sweep at a time per case: the two periods may lapse in two concurrent sweeps
    db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    facts = Facts(case)
    if not (case.state in (CaseState.decided, CaseState.publicized)  # not applied already
            and facts.decision_kind == "penalty" and facts.amount_due > 0
            and facts.remedies_expired):
        return
    if db.session.scalar(select(Clock.id).where(Clock.case_id == case.id,
                                                Clock.kind == "court_application")):
        return  # started already (by the other period's lapse)
    periods = [c for c in (facts.clock("review_period"), facts.clock("litigation_period")) if c]
    start_on = max(c.due_on for c in periods)
    clocks.start(case, "court_application", start_on, cause=clocks.Cause(
        reason=N_("复议、诉讼期限均已届满，罚没款未缴清"),
        legal_basis=N_("《行政强制法》第五十三条")))
