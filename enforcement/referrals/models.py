"""What a case was sent to a police unit or a court; decides what those receivers may see."""
import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit


class ReferralKind(enum.Enum):
    police = "police"  # 涉嫌犯罪案件移送
    court = "court"  # 申请人民法院强制执行


class DeclineGround(enum.Enum):
    """Legal grounds on which the police may decline to file (刑事诉讼法 Art. 16, 112).

    Incomplete materials are not one of them: the police ask for a supplement instead
    (公安机关办理刑事案件程序规定 Art. 180)."""

    no_crime = "no_crime"  # 没有犯罪事实
    below_threshold = "below_threshold"  # 情节显著轻微、未达到立案追诉标准
    time_barred = "time_barred"  # 已过追诉时效期限
    other_exemption = "other_exemption"  # 其他依法不追究刑事责任的情形


class CourtRuling(enum.Enum):
    """执行裁定 (行政强制法 Art. 57, 58)."""

    enforce = "enforce"  # 准予执行
    refuse = "refuse"  # 不予执行


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
    #: the referral this one continues after a police unit forwarded it (MPS Order 159
    #: Art. 179); on that earlier row, when it was forwarded
    forwarded_from_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the police's latest request for supplementary materials, and when the bureau answered
    supplement_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supplement_request: Mapped[str | None] = mapped_column(Text)
    supplement_supplied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the police's decision: 立案 or 不予立案 with its ground and reasons (file returned)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_ground: Mapped[DeclineGround | None] = mapped_column(enum_column(DeclineGround))
    decline_reasons: Mapped[str | None] = mapped_column(Text)
    #: 提请复议 by the bureau after a decline (Decree 310 Art. 9)
    reconsideration_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the court: heard the parties (30 days to rule instead of 7 working days, Art. 58)
    hears_parties: Mapped[bool] = mapped_column(Boolean, default=False,
                                                server_default=false())
    ruling: Mapped[CourtRuling | None] = mapped_column(enum_column(CourtRuling))
    ruling_reasons: Mapped[str | None] = mapped_column(Text)
    ruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[OrgUnit] = relationship(foreign_keys=[unit_id])
    copy_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[copy_unit_id])
    forwarded_from: Mapped["Referral | None"] = relationship(remote_side=[id])
    case = relationship("Case", viewonly=True)


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
