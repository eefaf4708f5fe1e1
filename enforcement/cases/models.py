"""The case file: the case, its parties, marks, goods, team and timeline."""
import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.auth.models import User
from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.orgs.models import OrgUnit
from enforcement.parties.models import Party
from workflows.states import STAGES, CaseState

Money = Numeric(14, 2)


class CaseSource(enum.Enum):
    portal = "portal"  # 权利人网上投诉举报
    station = "station"  # 商标指导站代为举报
    inspection = "inspection"  # 执法检查发现
    handed_over = "handed_over"  # 上级交办、其他机关移送
    other = "other"


SOURCE_LABELS = {
    CaseSource.portal: _l("网上投诉举报"),
    CaseSource.station: _l("指导站代为举报"),
    CaseSource.inspection: _l("执法检查发现"),
    CaseSource.handed_over: _l("交办或移送"),
    CaseSource.other: _l("其他"),
}

case_inspectors = Table(
    "case_inspectors",
    db.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Case(db.Model):
    """案件 — one report and everything that follows from it."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 登记编号 — given when the report is registered; the reporter's tracking number
    report_no: Mapped[str] = mapped_column(String(32), unique=True)
    #: 立案编号 — given when filing is approved
    case_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState), index=True)
    #: raised once by every action; stale writers are refused (see cases.services._claim)
    version: Mapped[int] = mapped_column(default=1)
    #: the handling unit (办案单位): jurisdiction for every read and write
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    source: Mapped[CaseSource] = mapped_column(enum_column(CaseSource))
    #: 案由
    cause: Mapped[str] = mapped_column(String(200))
    #: what was found, as reported or recorded
    summary: Mapped[str] = mapped_column(Text, default="")
    occurred_on: Mapped[date | None]
    occurred_place: Mapped[str] = mapped_column(String(200), default="")
    district: Mapped[str] = mapped_column(String(32), index=True)
    #: online sales: shop URL or seller account
    online_shop: Mapped[str | None] = mapped_column(String(300))

    reporter_name: Mapped[str | None] = mapped_column(String(80))
    reporter_contact: Mapped[str | None] = mapped_column(String(80))
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: the station that filed on someone's behalf
    filed_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)

    #: 重大案件 — needs a collective discussion before decision (APL Art. 57)
    is_major: Mapped[bool] = mapped_column(default=False)
    #: 违法经营额 in yuan, when computed
    business_volume: Mapped[Decimal | None] = mapped_column(Money)
    fine_amount: Mapped[Decimal | None] = mapped_column(Money)
    confiscation_amount: Mapped[Decimal | None] = mapped_column(Money)
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[OrgUnit] = relationship(foreign_keys=[unit_id])
    filed_by_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[filed_by_unit_id])
    inspectors: Mapped[list[User]] = relationship(secondary=case_inspectors, order_by=User.id)
    parties: Mapped[list["CaseParty"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseParty.id"
    )
    marks: Mapped[list["CaseMark"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseMark.id"
    )
    goods: Mapped[list["CaseGoods"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseGoods.id"
    )
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id"
    )

    def __repr__(self) -> str:
        return f"<Case {self.report_no} {self.state.value}>"

    @property
    def stage(self):
        return STAGES[self.state]

    @property
    def reporter_is_named(self) -> bool:
        """A reporter who gave a name and a way to reach them (anonymous ones are not told)."""
        return bool(self.reporter_name and (self.reporter_contact or self.reporter_user_id))

    @property
    def number(self) -> str:
        return self.case_no or self.report_no


class CaseParty(db.Model):
    """A party's place in a case (当事人)."""

    __tablename__ = "case_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)

    case: Mapped[Case] = relationship(back_populates="parties")
    party: Mapped[Party] = relationship()


class CaseMark(db.Model):
    """A mark infringed in a case; by registry row, or by number when not in the registry."""

    __tablename__ = "case_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    trademark_id: Mapped[int | None] = mapped_column(ForeignKey("trademarks.id"), index=True)
    reg_no: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))

    case: Mapped[Case] = relationship(back_populates="marks")
    trademark: Mapped[Trademark | None] = relationship()


class CaseGoods(db.Model):
    """涉案商品 — goods in a case, with quantities and prices when known."""

    __tablename__ = "case_goods"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    nice_class: Mapped[int | None]
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(20), default="")
    #: actual sale price, marked price, or verified average, per Regulations Art. 78
    unit_price: Mapped[Decimal | None] = mapped_column(Money)
    sold: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="goods")


class CaseEvent(db.Model):
    """One action taken on a case: the timeline, and the record of every self-loop action."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    from_state: Mapped[CaseState] = mapped_column(enum_column(CaseState))
    to_state: Mapped[CaseState] = mapped_column(enum_column(CaseState))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the validated form fields of the action, JSON-safe
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
