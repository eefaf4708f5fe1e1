"""Jurisdiction: which cases a user may see, and on whose behalf a user acts on a case."""
from sqlalchemy import false, or_, select, true

from enforcement.cases.models import Case
from enforcement.extensions import db
from enforcement.orgs.models import UnitKind, subtree_ids
from enforcement.referrals.models import Referral, ReferralKind
from workflows.spec import Side


def visible_cases(user):
    """A WHERE clause admitting exactly the cases the user may read (DESIGN §1)."""
    if user.can("case.read_all"):
        return true()
    clauses = []
    unit = user.unit
    if user.can("case.read") and unit is not None:
        # a unit sees its own cases; a city-level unit also those of the units below it
        clauses.append(Case.unit_id.in_(subtree_ids(unit.id)))
    if user.can("referral.read") and unit is not None:
        if unit.kind is UnitKind.procuratorate:
            clauses.append(Case.id.in_(select(Referral.case_id).where(
                Referral.kind == ReferralKind.police,
                Referral.copy_unit_id.in_(subtree_ids(unit.id)))))
        else:
            clauses.append(Case.id.in_(select(Referral.case_id).where(
                Referral.kind == ReferralKind.police, Referral.unit_id == unit.id)))
    if user.can("court.read") and unit is not None:
        clauses.append(Case.id.in_(select(Referral.case_id).where(
            Referral.kind == ReferralKind.court, Referral.unit_id == unit.id)))
    if user.can("report.read_own"):
        clauses.append(Case.reporter_user_id == user.id)
        if unit is not None:
            clauses.append(Case.filed_by_unit_id == unit.id)
    return or_(*clauses) if clauses else false()


def can_read(user, case) -> bool:
    return db.session.scalar(
        select(Case.id).where(Case.id == case.id, visible_cases(user))
    ) is not None


def current_referral(case, kind: ReferralKind) -> Referral | None:
    return db.session.scalar(
        select(Referral).where(Referral.case_id == case.id, Referral.kind == kind)
        .order_by(Referral.id.desc())
    )


def reading_side(user, case) -> Side:
    """As whom the user reads the case: the handling bureau sees the whole file, a receiving
    organ the part sent to it (DESIGN §1)."""
    unit = user.unit
    if user.can("case.read_all") or (user.can("case.read") and unit is not None
                                      and case.unit_id in subtree_ids(unit.id)):
        return Side.bureau
    if unit is not None and unit.kind is UnitKind.procuratorate:
        return Side.procuratorate
    if unit is not None and unit.kind is UnitKind.police:
        return Side.police
    if unit is not None and unit.kind is UnitKind.court:
        return Side.court
    return Side.holder


def acts_for(user, case, side: Side) -> bool:
    """Whether the user acts for ``side`` on this case: its own unit, or the receiving one."""
    unit = user.unit
    if side is Side.holder:
        return case.reporter_user_id == user.id or any(
            m.trademark is not None and m.trademark.owner_user_id == user.id for m in case.marks
        )
    if unit is None:
        return False
    if side is Side.bureau:
        return unit.kind is UnitKind.bureau and case.unit_id == unit.id
    if side is Side.police:
        referral = current_referral(case, ReferralKind.police)
        return referral is not None and referral.unit_id == unit.id
    if side is Side.procuratorate:
        referral = current_referral(case, ReferralKind.police)
        return (referral is not None and referral.copy_unit_id is not None
                and referral.copy_unit_id in subtree_ids(unit.id))
    if side is Side.court:
        referral = current_referral(case, ReferralKind.court)
        return referral is not None and referral.unit_id == unit.id
    return False
