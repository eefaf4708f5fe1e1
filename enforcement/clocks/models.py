"""Statutory clocks per case, what happened to them, their reminders, and the holiday table."""
import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db


class ClockStatus(enum.Enum):
    running = "running"
    paused = "paused"
    overdue = "overdue"  # a deadline past its due date and not yet met (set by the sweep)
    met = "met"  # stopped by its stop event
    lapsed = "lapsed"  # a window that ran out (a party's period, a publication period)
    cancelled = "cancelled"  # no longer applies (e.g. the case left the path)


#: statuses of a clock that still counts
OPEN_STATUSES = (ClockStatus.running, ClockStatus.paused, ClockStatus.overdue)


class Clock(db.Model):
    """期限 — started, paused, extended and stopped by workflow actions."""

    __tablename__ = "clocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: clock code from :mod:`enforcement.clocks.kinds`
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[ClockStatus] = mapped_column(enum_column(ClockStatus), index=True)
    started_on: Mapped[date]
    #: the period as it started (kept even if the kinds table or rule data change later)
    length: Mapped[int] = mapped_column(default=0)
    unit: Mapped[str] = mapped_column(String(20), default="days")
    #: added by extensions, in the same unit
    extended: Mapped[int] = mapped_column(default=0)
    #: for a period counted back (a hearing notice): the day it is counted back from
    anchor_on: Mapped[date | None]
    #: the last day; None while a year it needs has no holiday data
    due_on: Mapped[date | None] = mapped_column(index=True)
    #: for hour periods, the moment it ends
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when ``due_on`` is None: the year whose holidays are missing, and a Monday–Friday
    #: estimate shown only as such
    unknown_year: Mapped[int | None]
    estimated_due_on: Mapped[date | None]
    #: the article the period comes from
    basis: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extensions: Mapped[int] = mapped_column(default=0)

    events: Mapped[list["ClockEvent"]] = relationship(
        back_populates="clock", cascade="all, delete-orphan", order_by="ClockEvent.id")

    def __repr__(self) -> str:
        return f"<Clock {self.kind} {self.status.value} due {self.due_on}>"


class ClockEventKind(enum.Enum):
    start = "start"
    pause = "pause"
    resume = "resume"
    extend = "extend"
    stop = "stop"
    cancel = "cancel"
    overdue = "overdue"
    lapse = "lapse"
    recompute = "recompute"  # the holiday table changed the due date


class ClockEvent(db.Model):
    """One thing that happened to a clock, with its reason, legal basis, who and when."""

    __tablename__ = "clock_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("clocks.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[ClockEventKind] = mapped_column(enum_column(ClockEventKind))
    #: the Chinese calendar day it took effect (pauses are counted in days)
    effective_on: Mapped[date]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    #: None: the system (the sweep, a holiday notice entered)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id", ondelete="CASCADE"), index=True)
    due_before: Mapped[date | None]
    due_after: Mapped[date | None]

    clock: Mapped[Clock] = relationship(back_populates="events")
    actor = relationship("User")


class ClockReminder(db.Model):
    """A reminder queued for a clock: the unique key makes a second or concurrent sweep a no-op.

    One row per clock, reminder kind and due date: an extension (a new due date) earns a new
    reminder, a second sweep over the same due date does not.
    """

    __tablename__ = "clock_reminders"
    __table_args__ = (UniqueConstraint("clock_id", "kind", "due_on",
                                       name="uq_clock_reminders_clock_kind_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("clocks.id", ondelete="CASCADE"))
    #: due_soon | overdue
    kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)


class HolidayKind(enum.Enum):
    holiday = "holiday"  # 放假
    workday = "workday"  # 调休上班


class CalendarYear(db.Model):
    """A year's State Council holiday notice (国务院办公厅关于…部分节假日安排的通知), as entered.

    A year the ``chinese-calendar`` package does not cover is known only once ``complete``.
    """

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(String(200), default="")
    complete: Mapped[bool] = mapped_column(default=False)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    days: Mapped[list["HolidayDay"]] = relationship(
        back_populates="notice_year", cascade="all, delete-orphan", order_by="HolidayDay.day")
    entered_by = relationship("User")


class HolidayDay(db.Model):
    """One day of a notice: a holiday, or a weekend day made a working day (调休)."""

    __tablename__ = "holiday_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the notice's year (元旦 may begin on the last days of the year before)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year", ondelete="CASCADE"),
                                      index=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[HolidayKind] = mapped_column(enum_column(HolidayKind))
    #: e.g. 春节
    name: Mapped[str] = mapped_column(String(40))
    #: the notice it comes from, e.g. 国办发明电〔2026〕X号
    source: Mapped[str] = mapped_column(String(200))

    notice_year: Mapped[CalendarYear] = relationship(back_populates="days")
