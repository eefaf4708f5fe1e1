"""A statutory clock per case and kind."""
import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db


class ClockStatus(enum.Enum):
    running = "running"
    paused = "paused"
    met = "met"  # stopped by its stop event
    cancelled = "cancelled"  # no longer applies (e.g. the case left the path)


class Clock(db.Model):
    """期限 — started, paused, extended and stopped by workflow actions."""

    __tablename__ = "clocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: clock code from :mod:`enforcement.clocks.kinds`
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[ClockStatus] = mapped_column(enum_column(ClockStatus), index=True)
    started_on: Mapped[date]
    due_on: Mapped[date | None] = mapped_column(index=True)
    #: the article the period comes from
    basis: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extensions: Mapped[int] = mapped_column(default=0)
