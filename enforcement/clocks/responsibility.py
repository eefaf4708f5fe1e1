"""Who answers for a clock, read from the workflow definition: the actions that start, stop,
pause, resume or extend it, and the users who may take the action that meets it.

Reminders go to those users; a user's work list holds the cases whose next step, or whose
running clock, needs a permission the user holds.
"""
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select

from enforcement.auth.models import User, role_permissions, user_roles
from enforcement.clocks.calendar import N_
from enforcement.clocks.services import SERVICE_CLOCKS
from enforcement.documents.types import DOC_TYPES
from enforcement.extensions import db
from workflows.definition import ACTIONS, ACTIONS_BY_NAME
from workflows.spec import Action, Side

EFFECTS = ("start", "stop", "pause", "resume", "extend", "cancel")

#: what the definition's clock declarations do not show: clocks moved by an action's effect
#: or by the sweep (action None); the last item says whether taking that action is how the
#: clock is met (and so whose work it is), or only something that happens to it
_BESIDES = {
    "payment": (("record_payment", "stop", N_("缴清罚没款时"), True),),
    "court_application": (
        (None, "start", N_("复议、诉讼期限均已届满而罚没款未缴清时，由系统开始计算"), False),
        ("record_payment", "stop", N_("缴清罚没款时"), False),
    ),
    "inform_reporter": (("approve_filing", "stop",
                         N_("举报人通过网上平台接收告知的，作出决定时即已告知"), False),),
    "closing": ((None, "start", N_("全部义务履行完毕时，由系统开始计算"), False),),
}

#: forward actions that do not make a case "next for" their holders by state alone: a clock
#: brings such cases up when they are due (closing, court application)
_NOT_BY_STATE = frozenset({"close", "apply_court_enforcement"})


@dataclass(frozen=True)
class Touch:
    #: None: the system
    action: Action | None
    effect: str
    note: str = ""
    #: taking the action is how the clock is met
    meets: bool = True


def actions_touching(code: str) -> list[Touch]:
    """Every action that does something to clocks of ``code``, in table order."""
    return list(_touching(code))


@cache
def _touching(code: str) -> tuple[Touch, ...]:
    """(The definition does not change while the process runs: read once per clock kind;
    work lists ask for every case they show.)"""
    touches = [Touch(a, effect) for a in ACTIONS for effect in EFFECTS
               if code in getattr(a.clocks, effect)]
    for doc_type, (stops, starts) in SERVICE_CLOCKS.items():
        note = DOC_TYPES[doc_type].title
        touches += [Touch(ACTIONS_BY_NAME["record_service"], "stop", note)
                    for c in stops if c == code]
        touches += [Touch(ACTIONS_BY_NAME["record_service"], "start", note)
                    for c in starts if c == code]
    touches += [Touch(ACTIONS_BY_NAME[name] if name else None, effect, note, meets)
                for name, effect, note, meets in _BESIDES.get(code, ())]
    return tuple(touches)


def meeting_actions(code: str) -> list[Action]:
    """The actions that meet (stop) a clock of ``code``."""
    return list(_meeting(code))


@cache
def _meeting(code: str) -> tuple[Action, ...]:
    return tuple(t.action for t in _touching(code)
                 if t.effect == "stop" and t.action and t.meets)


def next_step_actions(can) -> list[Action]:
    """Forward actions a holder of these permissions takes: the case waits for them."""
    return [a for a in ACTIONS if not a.is_loop and a.tone == "primary"
            and a.name not in _NOT_BY_STATE and any(can(p) for p in a.permissions)]


def users_with(permission: str, unit_id: int) -> list[User]:
    holders = (select(user_roles.c.user_id)
               .join(role_permissions, role_permissions.c.role_code == user_roles.c.role_code)
               .where(role_permissions.c.permission_code == permission))
    return list(db.session.scalars(select(User).where(
        User.unit_id == unit_id, User.active.is_(True), User.id.in_(holders)).order_by(User.id)))


def responsible_users(case, code: str) -> list[User]:
    """Who may take the action that meets this clock on this case (the assigned inspectors
    for investigators' work, when the case has a team); the case's inspectors where no action
    meets it (e.g. telling a reporter by text message)."""
    from enforcement.cases.scope import current_referral
    from enforcement.referrals.models import ReferralKind

    actions = meeting_actions(code)
    if not actions:
        return [u for u in case.inspectors if u.active]
    found: dict[int, User] = {}
    for action in actions:
        for actor in action.actors:
            unit_id = case.unit_id
            if actor.side is Side.police:
                referral = current_referral(case, ReferralKind.police)
                unit_id = referral.unit_id if referral else None
            elif actor.side is Side.court:
                referral = current_referral(case, ReferralKind.court)
                unit_id = referral.unit_id if referral else None
            elif actor.side is not Side.bureau:
                continue
            if unit_id is None:
                continue
            if actor.permission == "case.investigate" and case.inspectors:
                found.update({u.id: u for u in case.inspectors if u.active})
            else:
                found.update({u.id: u for u in users_with(actor.permission, unit_id)})
    return list(found.values())
