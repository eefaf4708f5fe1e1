"""What a case was sent to a police unit or a court; decides what those receivers may see."""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit


class ReferralKind(enum.Enum):
    police = "police"  # 涉嫌犯罪案件移送
    court = "court"  # 申请人民法院强制执行


class Referral(db.Model):
    """移送 — a case sent to a receiving unit, with a copy to the procuratorate."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReferralKind] = mapped_column(enum_column(ReferralKind))
    #: the receiving police unit or court; changes when the police forward the transfer
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: 抄送 — the procuratorate of the same level
    copy_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: the receiver's own case number once accepted
    receiver_case_no: Mapped[str | None] = mapped_column(String(60))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[OrgUnit] = relationship(foreign_keys=[unit_id])
    copy_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[copy_unit_id])


class SupplierLead(db.Model):
    """案件线索移送 — the supplier a seller named, sent to the bureau where it is.

    A seller who did not know the goods infringed, proved it acquired them lawfully and named
    its supplier is only ordered to stop selling (商标法 Art. 60 ¶2); the supplier's details
    go with a 案件线索移送函 to the bureau where the supplier is. Inside the city that bureau
    gets a registered case; outside it, the letter is sent and the region recorded.
    """

    __tablename__ = "supplier_leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the seller's case, decided without a fine
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str] = mapped_column(String(200))
    #: 所在省、市、县（区）, for a supplier outside the city
    region: Mapped[str] = mapped_column(String(120), default="")
    #: the receiving bureau in the city; None when the supplier is elsewhere
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    #: the case registered for the supplier in the receiving bureau
    lead_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[unit_id])
