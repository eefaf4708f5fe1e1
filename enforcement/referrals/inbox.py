"""The receivers' side of referrals: which ones a police unit, a procuratorate or a court sees,
where each stands, and its clocks (DESIGN §1: receivers see only what was sent to them)."""
import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.orm import joinedload

from enforcement.cases.models import Case
from enforcement.cases.scope import visible_cases
from enforcement.clocks import holidays
from enforcement.clocks.models import OPEN_STATUSES, Clock
from enforcement.clocks.presenters import ClockView, clock_view
from enforcement.db import local_today, utcnow
from enforcement.extensions import db
from enforcement.orgs.models import UnitKind, subtree_ids
from enforcement.referrals.models import Referral, ReferralKind
from workflows.states import CaseState

PAGE_SIZE = 25
SENT_MARGIN = timedelta(minutes=1)

#: the clocks each kind of referral runs on (DESIGN §3)
REFERRAL_CLOCKS = {
    ReferralKind.police: ("transfer_delivery", "police_decision", "supplement",
                          "reconsideration", "goods_handover"),
    ReferralKind.court: ("court_acceptance", "court_ruling", "court_ruling_hearing"),
}


class Inbox(enum.Enum):
    police = "police"  # 公安机关: transfers to its unit
    procuratorate = "procuratorate"  # 人民检察院: transfers copied to it (its area)
    court = "court"  # 人民法院: applications for compulsory enforcement addressed to it


INBOX_LABELS = {
    Inbox.police: _l("移送案件"),
    Inbox.procuratorate: _l("移送案件监督"),
    Inbox.court: _l("强制执行申请"),
}

#: where a referral stands, as its receiver reads it
STATUS_LABELS = {
    "unacknowledged": _l("待签收"),
    "supplement": _l("待移送机关补充材料"),
    "pending": _l("待决定是否立案"),
    "reconsideration": _l("复议审查中"),
    "accepted": _l("已立案"),
    "declined": _l("不予立案"),
    "resumed": _l("不予立案，移送机关已恢复行政处理"),
    "forwarded": _l("已移送其他公安机关"),
    "court_pending": _l("待受理"),
    "court_accepted": _l("已受理，待裁定"),
    "court_ruled": _l("已裁定"),
    "ended": _l("已结束"),
}

#: filters of an inbox: what still needs the receiver, what is overdue, everything
FILTERS = ("open", "overdue", "all")
FILTER_LABELS = {"open": _l("待办"), "overdue": _l("已超期"), "all": _l("全部")}


def inbox_of(user) -> Inbox | None:
    """The inbox a user works from, by the kind of its unit and its permissions."""
    unit = user.unit if user.unit_id is not None else None
    if unit is None:
        return None
    if unit.kind is UnitKind.police and user.can("referral.read"):
        return Inbox.police
    if unit.kind is UnitKind.procuratorate and user.can("referral.read"):
        return Inbox.procuratorate
    if unit.kind is UnitKind.court and user.can("court.read"):
        return Inbox.court
    return None


def inbox_clause(user, inbox: Inbox):
    """The referrals of one inbox: sent to the user's unit, or copied to its area."""
    unit_id = user.unit_id
    if inbox is Inbox.police:
        return and_(Referral.kind == ReferralKind.police, Referral.unit_id == unit_id)
    if inbox is Inbox.procuratorate:
        return and_(Referral.kind == ReferralKind.police,
                    Referral.copy_unit_id.in_(subtree_ids(unit_id)))
    return and_(Referral.kind == ReferralKind.court, Referral.unit_id == unit_id)


def visible_referrals(user):
    """Every referral the user may read: its inbox's, and those of the cases it handles."""
    if user.can("case.read_all"):
        return true()
    clauses = []
    inbox = inbox_of(user)
    if inbox is not None:
        clauses.append(inbox_clause(user, inbox))
    if user.can("case.read"):
        clauses.append(Referral.case_id.in_(select(Case.id).where(visible_cases(user))))
    return or_(*clauses) if clauses else false()


def _current_clause():
    """The referral is its case's current one of its kind (a forward makes a new one)."""
    newer = db.aliased(Referral)
    return ~exists(select(newer.id).where(newer.case_id == Referral.case_id,
                                          newer.kind == Referral.kind, newer.id > Referral.id))


def _open_clause():
    """Still needs the receiver: the current referral of a case the receiver must act on."""
    police = and_(Referral.kind == ReferralKind.police, Case.state == CaseState.referred)
    court = and_(Referral.kind == ReferralKind.court, Referral.ruled_at.is_(None),
                 Case.state == CaseState.court_enforcement)
    return and_(_current_clause(), or_(police, court))


def _overdue_clause():
    today, now = local_today(), utcnow()
    kinds = REFERRAL_CLOCKS[ReferralKind.police] + REFERRAL_CLOCKS[ReferralKind.court]
    late = exists(select(Clock.id).where(
        Clock.case_id == Referral.case_id, Clock.kind.in_(kinds), Clock.status.in_(OPEN_STATUSES),
        or_(Clock.due_at < now, and_(Clock.due_at.is_(None), Clock.due_on < today))))
    return and_(_current_clause(), late)


def filter_clause(name: str):
    return {"open": _open_clause, "overdue": _overdue_clause}.get(name, true)()


@dataclass
class Row:
    referral: Referral
    case: Case
    current: bool
    status: str
    clocks: list[ClockView] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def open_clocks(self) -> list[ClockView]:
        return [c for c in self.clocks if c.is_open]

    @property
    def overdue(self) -> bool:
        return any(c.status == "overdue" for c in self.open_clocks)

    @property
    def received_at(self) -> datetime:
        return self.referral.created_at


def status_of(referral: Referral, case: Case, current: bool) -> str:
    if referral.kind is ReferralKind.court:
        if referral.ruled_at:
            return "court_ruled"
        return "court_accepted" if referral.receiver_case_no else "court_pending"
    if referral.forwarded_at:
        return "forwarded"
    if referral.accepted_at:
        return "accepted"
    if current and case.state is CaseState.referred:
        if referral.acknowledged_at is None:
            return "unacknowledged"
        if referral.supplement_requested_at and not referral.supplement_supplied_at:
            return "supplement"
        return "reconsideration" if referral.reconsideration_requested_at else "pending"
    if referral.declined_at:
        declined_now = current and case.state is CaseState.referral_declined
        return "declined" if declined_now else "resumed"
    return "ended"


def rows_for(referrals: list[Referral]) -> list[Row]:
    """Rows with their status and clocks, reading the cases' clocks in one query."""
    if not referrals:
        return []
    case_ids = {r.case_id for r in referrals}
    latest = _latest_ids(case_ids)
    clocks: dict[int, list[Clock]] = {}
    for clock in db.session.scalars(select(Clock).where(Clock.case_id.in_(case_ids))
                                    .order_by(Clock.id)):
        clocks.setdefault(clock.case_id, []).append(clock)
    today, cal = local_today(), holidays.current()
    rows = []
    for referral in referrals:
        current = latest.get((referral.case_id, referral.kind)) == referral.id
        row = Row(referral, referral.case, current,
                  status_of(referral, referral.case, current))
        if current:
            kinds = REFERRAL_CLOCKS[referral.kind]
            row.clocks = sorted((clock_view(c, today, cal) for c in clocks.get(referral.case_id, [])
                                 if c.kind in kinds and c.started_at >= _started(referral)),
                                key=lambda v: v.sort_key)
        rows.append(row)
    return rows


def _started(referral: Referral) -> datetime:
    """The clocks of a referral are those started since it was sent (an earlier transfer of
    the same case, declined and taken back, had its own)."""
    root = referral
    while root.forwarded_from is not None:
        root = root.forwarded_from
    # the sending action starts its clocks a moment before it adds the referral row
    return root.created_at - SENT_MARGIN


def _latest_ids(case_ids) -> dict[tuple[int, ReferralKind], int]:
    return {(case_id, kind): max_id for case_id, kind, max_id in db.session.execute(
        select(Referral.case_id, Referral.kind, func.max(Referral.id))
        .where(Referral.case_id.in_(case_ids)).group_by(Referral.case_id, Referral.kind))}


def inbox_page(user, inbox: Inbox, filter_name: str = "open", page: int = 1):
    """One page of an inbox, newest first, and the total matching the filter."""
    where = and_(inbox_clause(user, inbox), filter_clause(filter_name))
    base = select(Referral).join(Case, Case.id == Referral.case_id).where(where)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    referrals = db.session.scalars(
        base.options(joinedload(Referral.unit), joinedload(Referral.copy_unit))
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique().all()
    return rows_for(list(referrals)), total


def counts(user, inbox: Inbox) -> dict[str, int]:
    """How many referrals each filter holds (the tabs, and the badge in the menu)."""
    return {name: db.session.scalar(
        select(func.count(Referral.id)).join(Case, Case.id == Referral.case_id)
        .where(inbox_clause(user, inbox), filter_clause(name))) for name in FILTERS}


def open_count(user) -> int:
    inbox = inbox_of(user)
    if inbox is None:
        return 0
    return db.session.scalar(
        select(func.count(Referral.id)).join(Case, Case.id == Referral.case_id)
        .where(inbox_clause(user, inbox), _open_clause()))


def case_referrals(case_id: int) -> list[Referral]:
    return list(db.session.scalars(select(Referral).where(Referral.case_id == case_id)
                                   .order_by(Referral.id)))
