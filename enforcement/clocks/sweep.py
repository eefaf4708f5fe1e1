"""``flask clocks sweep``: mark overdue deadlines, let windows lapse (with their timed effects),
and queue reminders through the outbox — safe to run every few minutes on several hosts.

Each clock is handled in its own short transaction, and nothing is done twice however many
sweeps run at once: a status change is a conditional UPDATE (``… WHERE status = 'running'``),
which only one sweep can make; a reminder is a row under a unique key (clock, kind, due date)
inserted with ``ON CONFLICT DO NOTHING``, and only the sweep whose row went in queues the
messages, in the same transaction.
"""
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite

from enforcement.audit import services as audit
from enforcement.cases.models import Case
from enforcement.clocks import timed
from enforcement.clocks.calendar import N_
from enforcement.clocks.kinds import CLOCK_KINDS, DEADLINE
from enforcement.clocks.models import (
    Clock,
    ClockEvent,
    ClockEventKind,
    ClockReminder,
    ClockStatus,
)
from enforcement.clocks.presenters import DUE_SOON_DAYS
from enforcement.clocks.responsibility import responsible_users
from enforcement.db import local_date, local_today, utcnow
from enforcement.extensions import db
from enforcement.outbox.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    overdue: int = 0
    lapsed: int = 0
    reminders: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.overdue or self.lapsed or self.reminders)


def sweep() -> SweepReport:
    """One pass over the open clocks; each clock is its own transaction."""
    report = SweepReport()
    today, now = local_today(), utcnow()
    for clock_id in _candidates(today, now):
        try:
            _handle(clock_id, today, now, report)
            db.session.commit()
        except Exception as exc:  # one clock's trouble must not stop the others
            db.session.rollback()
            log.exception("clock %s: sweep failed", clock_id)
            report.errors.append(f"clock {clock_id}: {exc}")
    # publications past their last public day, also those whose period clock has only an
    # estimated due day (a year without holiday data): taken down today (Order 45 Art. 13)
    from enforcement.publicity.services import take_down_expired

    report.lapsed += take_down_expired(today)
    if report.changed:
        audit.record("clocks.sweep", obj_type="clocks", overdue=report.overdue,
                     lapsed=report.lapsed, reminders=report.reminders,
                     messages=report.messages)
        db.session.commit()
    return report


def _candidates(today: date, now) -> list[int]:
    """Running clocks due within the reminder horizon, and overdue ones not yet reminded of
    their current due date."""
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    reminded = exists().where(ClockReminder.clock_id == Clock.id,
                              ClockReminder.kind == "overdue",
                              ClockReminder.due_on == Clock.due_on)
    ids = list(db.session.scalars(select(Clock.id).where(
        ((Clock.status == ClockStatus.running) & (Clock.due_on <= horizon))
        | ((Clock.status == ClockStatus.overdue) & ~reminded)).order_by(Clock.due_on, Clock.id)))
    db.session.rollback()  # end the read before the per-clock transactions (SQLite locks)
    return ids


def _handle(clock_id: int, today: date, now, report: SweepReport) -> None:
    clock = db.session.get(Clock, clock_id)
    if clock is None:
        return
    kind = CLOCK_KINDS[clock.kind]
    past = now > clock.due_at if clock.due_at else today > clock.due_on
    if past and clock.status is ClockStatus.running:
        target = ClockStatus.overdue if kind.role == DEADLINE else ClockStatus.lapsed
        if _transition(clock, target, today):
            if target is ClockStatus.overdue:
                report.overdue += 1
            else:
                report.lapsed += 1
    if kind.role == DEADLINE and clock.status in (ClockStatus.running, ClockStatus.overdue):
        reminder = "overdue" if clock.status is ClockStatus.overdue else "due_soon"
        queued = _remind(clock, reminder)
        if queued is not None:
            report.reminders += 1
            report.messages += queued


def _transition(clock: Clock, target: ClockStatus, today: date) -> bool:
    """Running → overdue or lapsed, by this sweep only; then the hooks of that change."""
    result = db.session.execute(
        update(Clock).where(Clock.id == clock.id, Clock.status == ClockStatus.running)
        .values(status=target).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(clock)
        return False  # another sweep (or an action) got there first
    db.session.refresh(clock)
    event = ClockEventKind.overdue if target is ClockStatus.overdue else ClockEventKind.lapse
    db.session.add(ClockEvent(clock_id=clock.id, kind=event, effective_on=today,
                              reason=N_("期限届满"), due_before=clock.due_on,
                              due_after=clock.due_on))
    case = db.session.get(Case, clock.case_id)
    for hook in timed.hooks("overdue" if target is ClockStatus.overdue else "lapse",
                            clock.kind):
        hook(case, clock)
    db.session.flush()
    return True


def _insert(dialect: str):
    return (postgresql if dialect == "postgresql" else sqlite).insert


def _remind(clock: Clock, kind: str) -> int | None:
    """Queue one reminder of ``kind`` for the clock's due date; None if one already was."""
    insert = _insert(db.session.get_bind().dialect.name)
    row_id = db.session.scalar(
        insert(ClockReminder).values(clock_id=clock.id, kind=kind, due_on=_due_day(clock),
                                     created_at=utcnow(), recipients=0)
        .on_conflict_do_nothing().returning(ClockReminder.id))
    if row_id is None:
        return None
    case = db.session.get(Case, clock.case_id)
    users = responsible_users(case, clock.kind)
    subject, body = _message(case, clock, kind)
    for user in users:
        db.session.add(OutboxMessage(case_id=case.id, channel="portal",
                                     recipient=f"user:{user.id}", subject=subject, body=body))
    db.session.execute(update(ClockReminder).where(ClockReminder.id == row_id)
                       .values(recipients=len(users)))
    return len(users)


def _due_day(clock: Clock) -> date:
    return local_date(clock.due_at) if clock.due_at else clock.due_on


def _message(case: Case, clock: Clock, kind: str) -> tuple[str, str]:
    # staff reminders are written in Chinese, whatever the language a user browses in
    with force_locale("zh"):
        label = str(CLOCK_KINDS[clock.kind].label)
        if kind == "overdue":
            subject = _("期限已超期：%(no)s %(label)s", no=case.number, label=label)
            body = _("案件 %(no)s（%(cause)s）的“%(label)s”期限已于 %(due)s 届满，尚未完成。"
                     "依据：%(basis)s。", no=case.number, cause=case.cause, label=label,
                     due=_due_day(clock).isoformat(), basis=clock.basis)
        else:
            subject = _("期限即将到期：%(no)s %(label)s", no=case.number, label=label)
            body = _("案件 %(no)s（%(cause)s）的“%(label)s”期限将于 %(due)s 届满。"
                     "依据：%(basis)s。", no=case.number, cause=case.cause, label=label,
                     due=_due_day(clock).isoformat(), basis=clock.basis)
    return subject, body
