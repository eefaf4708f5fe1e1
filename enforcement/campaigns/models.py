"""Campaigns, the cases that joined them, field-work figures, and the statistics' indexes."""
import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.auth.models import User
from enforcement.cases.models import Case, CaseEvent
from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit


class Campaign(db.Model):
    """专项执法行动 — a planned, focused enforcement campaign (DESIGN §7).

    Cases join by rule — registered within the period, in one of the districts (all when
    none is named), about one of the target marks or goods of one of the Nice classes (any
    when neither is named) — or by hand (:class:`CampaignCase`)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: 牵头单位
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: district codes (``OrgUnit.district``); empty: the whole city
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Nice classes of the goods (industries) the campaign is about
    nice_classes: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: ids of the registered marks it protects (e.g. the 河套 GI)
    mark_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: 工作目标
    goals: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lead_unit: Mapped[OrgUnit] = relationship()

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name}>"


class JoinedBy(enum.Enum):
    rule = "rule"  # matched the campaign's rule
    hand = "hand"  # added by a user


JOINED_BY_LABELS = {JoinedBy.rule: _l("按规则"), JoinedBy.hand: _l("手工加入")}


class CampaignCase(db.Model):
    """A case's membership of a campaign decided by a user: a case added by hand, or a case
    the rule matched and a user took out (``removed_at``). Rule matches nobody touched have no
    row: the rule is applied in the query, so a new case counts the moment it matches."""

    __tablename__ = "campaign_cases"
    __table_args__ = (UniqueConstraint("campaign_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    joined_by: Mapped[JoinedBy] = mapped_column(enum_column(JoinedBy))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_reason: Mapped[str] = mapped_column(String(200), default="")

    case: Mapped[Case] = relationship()
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])


class FieldWork(db.Model):
    """Field-work figures of one unit in one quarter, for a campaign or for routine work
    (``campaign_id`` None): what the statistics report besides cases."""

    __tablename__ = "field_work"
    __table_args__ = (UniqueConstraint("unit_id", "campaign_id", "year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    quarter: Mapped[int]
    #: 出动执法人员人次
    officers: Mapped[int] = mapped_column(default=0)
    #: 检查经营主体户次 (businesses and market stalls)
    businesses: Mapped[int] = mapped_column(default=0)
    #: 检查市场个次
    markets: Mapped[int] = mapped_column(default=0)
    #: 网络监测网店（个次）
    online_shops: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(300), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    entered_by: Mapped[User | None] = relationship()


class TrademarkDistrict(db.Model):
    """The district of a registered mark's owner, for the brand-strategy dashboard (the
    registry row has no district; demo marks are placed by their owners' seat)."""

    __tablename__ = "trademark_districts"

    trademark_id: Mapped[int] = mapped_column(ForeignKey("trademarks.id", ondelete="CASCADE"),
                                              primary_key=True)
    district: Mapped[str] = mapped_column(String(32), index=True)


# The quarterly statistics select by date range, never by scanning every case (DESIGN §11);
# registration dates are indexed already (enforcement.cases.queries).
STATS_INDEXES = (
    Index("ix_cases_filed_at", Case.__table__.c.filed_at),
    Index("ix_cases_decided_at", Case.__table__.c.decided_at),
    Index("ix_cases_closed_at", Case.__table__.c.closed_at),
    Index("ix_case_events_action_at", CaseEvent.__table__.c.action, CaseEvent.__table__.c.at),
)


class FactDim(enum.Enum):
    """How a :class:`CaseStat` row is keyed: the case itself, or one of its mark types or
    goods classes (a case of two Nice classes has one row for each, so that grouping by
    class counts it once in each class, as the statistics define)."""

    case = "c"
    mark_type = "m"
    goods = "g"


class CaseStat(db.Model):
    """What one case counts for in one quarter (案件统计事实): the figures' flags and amounts,
    computed from the case, its events and clocks (:func:`enforcement.campaigns.stats.
    case_facts`) and kept up to date by :mod:`enforcement.campaigns.facts`. The quarterly
    statistics sum these rows instead of searching the cases, events and clocks again."""

    __tablename__ = "case_stats"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: year × 4 + quarter − 1 (2026Q1 = 8104): one integer, so a range of quarters is a range
    quarter: Mapped[int]
    dim: Mapped[FactDim] = mapped_column(enum_column(FactDim, length=1))
    #: the mark type (``MarkType`` value) or Nice class; None: the case has none
    key: Mapped[str | None] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(SmallInteger, default=0)
    filed: Mapped[int] = mapped_column(SmallInteger, default=0)
    major: Mapped[int] = mapped_column(SmallInteger, default=0)
    closed: Mapped[int] = mapped_column(SmallInteger, default=0)
    case_value: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    penalties: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    seized: Mapped[int] = mapped_column(SmallInteger, default=0)
    destroyed: Mapped[int] = mapped_column(SmallInteger, default=0)
    transferred: Mapped[int] = mapped_column(SmallInteger, default=0)
    police_filed: Mapped[int] = mapped_column(SmallInteger, default=0)
    police_declined: Mapped[int] = mapped_column(SmallInteger, default=0)
    published: Mapped[int] = mapped_column(SmallInteger, default=0)
    overdue: Mapped[int] = mapped_column(SmallInteger, default=0)
    repeat: Mapped[int] = mapped_column(SmallInteger, default=0)
    days_total: Mapped[float | None] = mapped_column(Float)
    days_cases: Mapped[int] = mapped_column(SmallInteger, default=0)

    __table_args__ = (Index("ix_case_stats_quarter_dim", "quarter", "dim"),)


class CaseStatPending(db.Model):
    """A case whose :class:`CaseStat` rows must be computed again: written in the same
    transaction as the change (an action, a clock going overdue, an edit of its parties,
    marks or goods), consumed by :func:`enforcement.campaigns.facts.refresh_pending`."""

    __tablename__ = "case_stats_pending"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer)
