"""Reports filed through the portal, and the fixed-window counters of the rate limiter."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, utcnow
from enforcement.extensions import db


class Report(db.Model):
    """举报 — one submission through the portal or the API.

    A submission is received first (this row, with what was submitted and the files already
    stored) and registered second: routed, made a case or linked to one, with its documents
    (see ``reports.services``). Between the two ``case_id`` is empty; the clock of the case
    counts from ``created_at``, the day the report was received.

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
    #: the case the report opened or joined; empty until the report is registered
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
    #: received: the submitted report as sent (API shape), read again at registration
    payload: Mapped[dict | None] = mapped_column(JSON)
    #: the evidence files stored at receipt: key, name, content type, size, sha256 each
    files: Mapped[list | None] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: failed registration attempts and the last error, for the worker and the operator
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case")
    mandate = relationship("Mandate")
    submitted_by = relationship("User", foreign_keys=[submitted_by_user_id])

    @property
    def registered(self) -> bool:
        return self.case_id is not None

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
