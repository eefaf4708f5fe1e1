"""Agents' powers of attorney (授权委托书)."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, utcnow
from enforcement.extensions import db


class Mandate(db.Model):
    """授权委托书 — an agent (代理机构) acts for a rights holder for the marks it names.

    The uploaded file passes the evidence checks and is stored like evidence: under a
    generated key, with its SHA-256.
    """

    __tablename__ = "mandates"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: 委托人 — the rights holder the agent acts for
    principal_name: Mapped[str] = mapped_column(String(120))
    principal_credit_code: Mapped[str | None] = mapped_column(String(18))
    #: registration numbers of the marks the mandate covers
    mark_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_until: Mapped[date | None]
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agent = relationship("User")

    def covers(self, reg_no: str, today: date) -> bool:
        return (self.revoked_at is None and reg_no in self.mark_numbers
                and (self.valid_until is None or self.valid_until >= today))
