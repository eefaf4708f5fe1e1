"""Jurisdiction: which cases a user may see, and on whose behalf a user acts on a case."""
from sqlalchemy import false, or_, select, true

from enforcement.cases.models import Case, CaseMark
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.orgs.models import UnitKind, subtree_ids, subtree_select
from enforcement.referrals.models import Referral, ReferralKind
from enforcement.reports.models import Report
from workflows.spec import Side


def visible_cases(user, *, inline=False):
    """A WHERE clause admitting exactly the cases the user may read (DESIGN §1).

    ``inline``: the unit subtree as a subquery instead of a list read beforehand (one query
    for a single case, :func:`enforcement.cases.services.load_case`)."""
    if user.can("case.read_all"):
        return true()
    clauses = []
    unit_id = user.unit_id
    if user.can("case.read") and unit_id is not None:
        # a unit sees its own cases; a city-level unit also those of the units below it
        clauses.append(Case.unit_id.in_(subtree_select(unit_id) if inline
                                        else subtree_ids(unit_id)))
    unit = user.unit if unit_id is not None else None
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
        clauses.append(holder_cases(user))
        # reports that joined an open case filed by someone else (reports.services)
        clauses.append(Case.id.in_(select(Report.case_id).where(
            Report.submitted_by_user_id == user.id)))
        if unit is not None:
            clauses.append(Case.filed_by_unit_id == unit.id)
    return or_(*clauses) if clauses else false()


def holder_cases(user):
    """The cases a user follows as the rights-holder side: those it reported, and those about
    a mark it owns (an agent's principal reads them as the owner of the marks mandated)."""
    owned = select(CaseMark.case_id).join(Trademark, Trademark.id == CaseMark.trademark_id) \
        .where(Trademark.owner_user_id == user.id)
    # a named report that joined an open case (a station's reports are the station's own)
    joined = select(Report.case_id).where(Report.submitted_by_user_id == user.id,
                                          Report.anonymous.is_(False),
                                          Report.filed_by_unit_id.is_(None))
    return or_(Case.reporter_user_id == user.id, Case.id.in_(owned), Case.id.in_(joined))


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
    if side is Side.holder:
        return db.session.scalar(
            select(Case.id).where(Case.id == case.id, holder_cases(user))) is not None
    if user.unit_id is None:
        return False
    if side is Side.bureau:
        return case.unit_id == user.unit_id and user.unit.kind is UnitKind.bureau
    unit = user.unit
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


def can_read_referral(user, referral: Referral) -> bool:
    """Whether the user may read what a referral sent (its packet): the receiving police unit
    or court, the procuratorate a transfer was copied to, and the handling bureau's readers."""
    unit = user.unit if user.unit_id is not None else None
    if unit is not None and referral.kind is ReferralKind.police and user.can("referral.read"):
        # a police unit that forwarded the transfer no longer receives what follows
        if unit.kind is UnitKind.police and referral.unit_id == unit.id:
            return _is_current(referral)
        if (unit.kind is UnitKind.procuratorate and referral.copy_unit_id is not None
                and referral.copy_unit_id in subtree_ids(unit.id)):
            return True
    if (unit is not None and referral.kind is ReferralKind.court and user.can("court.read")
            and unit.kind is UnitKind.court and referral.unit_id == unit.id):
        return _is_current(referral)
    if user.can("case.read_all"):
        return True
    if not user.can("case.read") or unit is None or unit.kind is not UnitKind.bureau:
        return False
    case_unit_id = db.session.scalar(select(Case.unit_id).where(Case.id == referral.case_id))
    return case_unit_id in subtree_ids(unit.id)


def _is_current(referral: Referral) -> bool:
    """Whether no later referral of the same kind replaced this one (a forward, a new
    transfer)."""
    latest = db.session.scalar(select(Referral.id).where(
        Referral.case_id == referral.case_id, Referral.kind == referral.kind)
        .order_by(Referral.id.desc()).limit(1))
    return latest == referral.id
