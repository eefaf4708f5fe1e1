"""``flask clocks sweep``: run twice, and by two processes at once, every reminder is queued
exactly once, every overdue clock is marked once and every timed effect runs once — on SQLite
and on PostgreSQL (TEST_DATABASE_URL)."""
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from enforcement.clocks import timed
from enforcement.clocks.kinds import CLOCK_KINDS, DEADLINE
from enforcement.clocks.models import (
    OPEN_STATUSES,
    Clock,
    ClockEvent,
    ClockEventKind,
    ClockReminder,
    ClockStatus,
)
from enforcement.clocks.sweep import sweep
from enforcement.db import acting_as_of, local_today
from enforcement.extensions import db
from enforcement.outbox.models import OutboxMessage
from tests.clocks.helpers import act, clocks, filed, serve
from tests.conftest import user

REPO = Path(__file__).resolve().parents[2]
DEADLINES = [k.code for k in CLOCK_KINDS.values() if k.role == DEADLINE]


def _make_due(today: date) -> tuple[set[int], set[int]]:
    """Every running day-counted deadline of the demo: half overdue since yesterday, half due
    in two days. Returns (overdue ids, due-soon ids)."""
    ids = list(db.session.scalars(select(Clock.id).where(
        Clock.status == ClockStatus.running, Clock.kind.in_(DEADLINES),
        Clock.due_at.is_(None)).order_by(Clock.id)))
    overdue, soon = set(ids[::2]), set(ids[1::2])
    db.session.execute(update(Clock).where(Clock.id.in_(overdue))
                       .values(due_on=today - timedelta(days=1), unknown_year=None))
    db.session.execute(update(Clock).where(Clock.id.in_(soon))
                       .values(due_on=today + timedelta(days=2), unknown_year=None))
    db.session.commit()
    # and the demo's 24-hour transfer delivery, due tomorrow anyway
    soon |= set(db.session.scalars(select(Clock.id).where(Clock.status == ClockStatus.running,
                                                          Clock.due_at.is_not(None))))
    return overdue, soon


def _reminders() -> Counter:
    return Counter(db.session.execute(select(ClockReminder.clock_id, ClockReminder.kind)).all())


def _reminder_messages() -> Counter:
    return Counter(db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.subject)
        .where(OutboxMessage.subject.like("期限%"))).all())


def _assert_exactly_once(overdue: set[int], soon: set[int]):
    db.session.expire_all()
    reminders = _reminders()
    assert set(reminders) == {(i, "overdue") for i in overdue} | {(i, "due_soon") for i in soon}
    assert set(reminders.values()) == {1}
    messages = _reminder_messages()
    assert messages and set(messages.values()) == {1}  # nobody is told the same thing twice
    assert sum(messages.values()) == db.session.scalar(
        select(func.sum(ClockReminder.recipients)))
    marked = Counter(db.session.scalars(select(ClockEvent.clock_id).where(
        ClockEvent.kind == ClockEventKind.overdue)))
    assert set(marked) == overdue and set(marked.values()) == {1}
    statuses = set(db.session.scalars(select(Clock.status).where(Clock.id.in_(overdue))))
    assert statuses == {ClockStatus.overdue}


def test_sweep_twice_queues_each_reminder_once(app):
    overdue, soon = _make_due(local_today())
    first = sweep()
    assert (first.overdue, first.reminders) == (len(overdue), len(overdue) + len(soon))
    assert first.messages > 0 and not first.errors
    second = sweep()
    assert (second.overdue, second.lapsed, second.reminders, second.messages) == (0, 0, 0, 0)
    _assert_exactly_once(overdue, soon)


def test_reminders_go_to_whoever_takes_the_step_that_meets_the_clock(app):
    # the demo's transfer awaiting approval, due in two days (its 3 days can end on a rest
    # day and roll over to past the reminder horizon, depending on today's weekday)
    db.session.execute(update(Clock).where(Clock.kind == "transfer_decision",
                                           Clock.status == ClockStatus.running)
                       .values(due_on=local_today() + timedelta(days=2), unknown_year=None))
    db.session.commit()
    sweep()
    db.session.expire_all()
    reminded = {r for r, in db.session.execute(select(OutboxMessage.recipient).where(
        OutboxMessage.subject.like("%移送审批%")))}
    # the transfer decision is the bureau head's (case.approve_transfer, Decree 310 Art. 5)
    assert reminded == {f"user:{user('linhe_head').id}"}


def _run_sweeps(database_url: str, n: int = 2) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "sweep-test",
           "PYTHONPATH": str(REPO)}
    flask = str(Path(sys.executable).with_name("flask"))
    processes = [subprocess.Popen([flask, "--app", "wsgi", "clocks", "sweep"], cwd=REPO,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(n)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_two_concurrent_sweeps_queue_each_reminder_once(app, database_url):
    overdue, soon = _make_due(local_today())
    db.session.remove()  # nothing of the test's own left open beside the two processes
    results = _run_sweeps(database_url)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    queued = sum(int(r.stdout.split("reminders queued: ")[1].split()[0]) for r in results)
    assert queued == len(overdue) + len(soon)
    _assert_exactly_once(overdue, soon)
    db.session.remove()  # SQLite: the test's read transaction holds the write lock
    again = _run_sweeps(database_url, 1)[0]
    assert "reminders queued: 0" in again.stdout
    _assert_exactly_once(overdue, soon)


def _decided_long_ago() -> int:
    """A fine decided and served in January 2026, published, never paid."""
    case_id = filed(date(2026, 1, 5))
    act(case_id, "finish_investigation", "linhe_inspector1", date(2026, 1, 6), findings="事实。",
        outcome="penalty", proposed_fine="20000")
    act(case_id, "pass_review", "linhe_reviewer", date(2026, 1, 6), opinion="同意。",
        hearing_rights="y")
    serve(case_id, "penalty_notice", date(2026, 1, 6))
    act(case_id, "record_statement", "linhe_inspector1", date(2026, 1, 6), kind="waiver",
        content="放弃。")
    act(case_id, "submit_for_decision", "linhe_inspector1", date(2026, 1, 6))
    act(case_id, "decide_penalty", "linhe_head", date(2026, 1, 7), violation="销售侵权商品。",
        legal_basis="《商标法》第六十条", fine="20000")
    serve(case_id, "penalty_decision", date(2026, 1, 7))
    act(case_id, "publish", "linhe_head", date(2026, 1, 8))
    return case_id


def test_concurrent_sweeps_run_a_timed_effect_once(app, database_url):
    # both remedies periods lapse in the same sweep; the court-application period is started
    # by their lapse hook exactly once (行政强制法 Art. 53)
    case_id = _decided_long_ago()
    db.session.remove()
    results = _run_sweeps(database_url)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    started = clocks(case_id, "court_application")
    assert len(started) == 1 and started[0].status in OPEN_STATUSES
    lapses = db.session.scalar(select(func.count()).select_from(ClockEvent).join(Clock).where(
        Clock.case_id == case_id, ClockEvent.kind == ClockEventKind.lapse))
    assert lapses == 3  # review, litigation and the statement window, each once


def test_a_registered_hook_runs_once_however_often_the_sweep_runs(app, monkeypatch):
    calls = []
    monkeypatch.setattr(timed, "_HOOKS", {})

    @timed.on_lapse("statement")
    def note(case, clock):
        calls.append(clock.id)

    case_id = filed(date(2026, 6, 1))
    act(case_id, "finish_investigation", "linhe_inspector1", date(2026, 6, 2), findings="事实。",
        outcome="penalty", proposed_fine="5000")
    act(case_id, "pass_review", "linhe_reviewer", date(2026, 6, 2), opinion="同意。")
    serve(case_id, "penalty_notice", date(2026, 6, 3))
    with acting_as_of(date(2026, 6, 12)):
        sweep()
        sweep()
    statement = clocks(case_id, "statement")[-1]
    assert calls == [statement.id] and statement.status is ClockStatus.lapsed


@pytest.mark.parametrize("status", [ClockStatus.paused, ClockStatus.met])
def test_paused_and_met_clocks_are_left_alone(app, status):
    clock = db.session.scalar(select(Clock).where(Clock.status == ClockStatus.running,
                                                  Clock.kind == "verification").limit(1))
    clock.status, clock.due_on = status, local_today() - timedelta(days=5)
    db.session.commit()
    sweep()
    db.session.expire_all()
    assert db.session.get(Clock, clock.id).status is status
    assert not db.session.scalar(select(ClockReminder.id).where(
        ClockReminder.clock_id == clock.id))
