"""Reports filed through the portal, and the fixed-window counters of the rate limiter."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, utcnow
from enforcement.extensions import db


class Report(db.Model):
    """举报 — one submission through the portal or the API.

    Several reports may point at one case: a report about the same infringer and mark as an
    open case is linked to that case instead of opening a second one (``linked``). The
    reporter follows the report by its tracking number and access code; only the code's
    SHA-256 is stored.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 登记编号 the reporter follows; the case's report_no when the report opened the case
    tracking_no: Mapped[str] = mapped_column(String(32), unique=True)
    access_code_hash: Mapped[str] = mapped_column(String(64))
    #: set in the filing transaction right after the idempotency key is claimed; never null
    #: once committed
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: the report joined a case that was already open
    linked: Mapped[bool] = mapped_column(default=False)
    anonymous: Mapped[bool] = mapped_column(default=False)
    reporter_name: Mapped[str | None] = mapped_column(String(80))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    reporter_email: Mapped[str | None] = mapped_column(String(120))
    #: the portal account that submitted it (rights holder, agent or station)
    submitted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: an agent's 授权委托书 the report was filed under
    mandate_id: Mapped[int | None] = mapped_column(ForeignKey("mandates.id"), index=True)
    #: on whose behalf: the agent's principal, or the farmer/cooperative a station helped
    principal_name: Mapped[str | None] = mapped_column(String(120))
    principal_contact: Mapped[str | None] = mapped_column(String(80))
    #: the station that filed it
    filed_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: web form token or API Idempotency-Key; one report per key (unique)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: SHA-256 of the submitted content, to refuse a key reused for a different report
    request_hash: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case = relationship("Case")
    mandate = relationship("Mandate")
    submitted_by = relationship("User", foreign_keys=[submitted_by_user_id])

    def __repr__(self) -> str:
        return f"<Report {self.tracking_no}>"


class RateWindow(db.Model):
    """Hits of one client address on one limited action in one fixed time window."""

    __tablename__ = "rate_windows"

    #: e.g. ``report_file:203.0.113.9``
    bucket: Mapped[str] = mapped_column(String(160), primary_key=True)
    #: start of the window, seconds since the epoch
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hits: Mapped[int] = mapped_column(default=0)
