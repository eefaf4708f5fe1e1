"""Parties (当事人)."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db


class PartyKind(enum.Enum):
    person = "person"  # 自然人 (incl. 个体工商户 operator)
    organisation = "organisation"  # 法人或其他组织


PARTY_KIND_LABELS = {PartyKind.person: _l("自然人"), PartyKind.organisation: _l("法人或其他组织")}


class Party(db.Model):
    """当事人 — recognised across cases by credit code or ID number first."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PartyKind] = mapped_column(enum_column(PartyKind))
    name: Mapped[str] = mapped_column(String(120), index=True)
    #: 统一社会信用代码 (GB 32100-2015)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    #: 居民身份证号 (GB 11643-1999)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    legal_representative: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    shop_url: Mapped[str | None] = mapped_column(String(300))
    seller_account: Mapped[str | None] = mapped_column(String(120))
    #: normalised name, address, shop and account, for recognising the same party across
    #: cases when it has no identifier (see ``enforcement.parties.identity``)
    name_key: Mapped[str | None] = mapped_column(String(120), index=True)
    address_key: Mapped[str | None] = mapped_column(String(200))
    shop_key: Mapped[str | None] = mapped_column(String(300), index=True)
    seller_key: Mapped[str | None] = mapped_column(String(120), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self):
        return PARTY_KIND_LABELS[self.kind]
