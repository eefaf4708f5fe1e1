"""The engine: one static ``transitions`` machine shared by every case, and guard evaluation.

The machine holds no models (a machine per row costs memory and linear scans, transitions
issues #146 and #434); each call passes the case in. Guards are evaluated here, before the
machine is fired, so that a refusal always comes with its reasons and changes nothing.
"""
from collections.abc import Callable
from dataclasses import dataclass

from transitions import Machine

from workflows.definition import ACTIONS, ACTIONS_BY_NAME, STATE_LABELS
from workflows.guards import CaseFacts
from workflows.spec import N_, Action, Actor, Side
from workflows.states import CaseState


def _build_machine() -> Machine:
    transitions = [
        {"trigger": a.name, "source": source, "dest": a.dest}
        for a in ACTIONS
        for source in a.sources
    ]
    return Machine(
        model=None,
        states=CaseState,
        transitions=transitions,
        initial=CaseState.registered,
        auto_transitions=False,
        model_attribute="state",
    )


MACHINE = _build_machine()


@dataclass(frozen=True)
class Refusal:
    """Why an action may not be taken; ``reason`` is a message id, ``params`` fill it."""

    code: str
    reason: str
    params: tuple[tuple[str, str], ...] = ()


class UnknownAction(LookupError):
    pass


def get_action(name: str) -> Action:
    try:
        return ACTIONS_BY_NAME[name]
    except KeyError:
        raise UnknownAction(name) from None


def matching_actors(action: Action, state: CaseState, can: Callable[[str], bool],
                    acts_for: Callable[[Side], bool]) -> list[Actor]:
    """The actor entries through which someone may take the action in this state."""
    return [
        actor for actor in action.actors
        if (actor.states is None or state in actor.states)
        and can(actor.permission) and acts_for(actor.side)
    ]


def refusals(action: Action, state: CaseState, can: Callable[[str], bool],
             acts_for: Callable[[Side], bool], facts: CaseFacts | None) -> list[Refusal]:
    """Every reason the action may not be taken now; empty when it may.

    ``can`` answers whether the user holds a permission, ``acts_for`` whether the user acts
    for the given side of this case (its jurisdiction), ``facts`` what guards need to know.
    Guards are only consulted once the state, permission and jurisdiction allow the action.
    """
    if state not in action.sources:
        return [Refusal("state", N_("案件当前状态为“%(state)s”，不能进行此操作"),
                        (("state", STATE_LABELS[state]),))]
    if not any(can(actor.permission) for actor in action.actors):
        return [Refusal("permission", N_("您没有进行此操作的权限"))]
    if not matching_actors(action, state, can, acts_for):
        return [Refusal("jurisdiction", N_("该案件不在您的职责范围内"))]
    return [
        Refusal(guard.code, guard.reason) for guard in action.guards if not guard.check(facts)
    ]


def fire(action: Action, case) -> None:
    """Move the case through the machine; the caller has already checked :func:`refusals`."""
    if not MACHINE.events[action.name].trigger(case):
        raise RuntimeError(f"transition {action.name} from {case.state} did not execute")


def actions_from(state: CaseState) -> list[Action]:
    """The actions whose source includes this state, in table order."""
    return [a for a in ACTIONS if state in a.sources]
