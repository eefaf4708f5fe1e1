"""``flask audit verify``: the hash chain holds on the seeded log and names the row tampered with.

The database refuses UPDATE and DELETE on ``audit_log`` (triggers); a tamperer with rights on the
database drops the trigger first, which these tests do too.
"""
import re

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from enforcement.audit.models import AuditEntry
from enforcement.audit.services import _digest, verify_chain
from enforcement.extensions import db

TABLE = AuditEntry.__table__


def verify(runner):
    db.session.commit()  # nothing of ours is open while the command reads the chain
    return runner.invoke(args=["audit", "verify"])


def broken_at(result) -> int:
    match = re.search(r"audit chain BROKEN at row (\d+):", result.output)
    assert match, result.output
    return int(match.group(1))


def row_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def middle_seq() -> int:
    return db.session.scalar(select(func.max(AuditEntry.seq))) // 2


def drop_trigger(name):
    on_table = " ON audit_log" if db.engine.dialect.name == "postgresql" else ""
    db.session.execute(text(f"DROP TRIGGER {name}{on_table}"))
    db.session.commit()


def edit_detail(seq):
    db.session.execute(update(TABLE).where(TABLE.c.seq == seq)
                       .values(detail={"tampered": True}))


def test_seeded_chain_verifies(app, runner):
    rows = row_count()
    assert rows > 100  # the seed walked every case through the workflow
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert f"audit chain OK: {rows} rows verified" in result.output


def test_database_refuses_to_edit_the_log(app):
    seq = middle_seq()
    with pytest.raises(DBAPIError, match="append-only"):
        edit_detail(seq)
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(delete(TABLE).where(TABLE.c.seq == seq))
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.seq == seq)) != {
        "tampered": True}


def test_edited_row_is_named(app, runner):
    seq = middle_seq()
    drop_trigger("audit_log_no_update")
    edit_detail(seq)
    result = verify(runner)
    assert result.exit_code == 1
    assert broken_at(result) == seq
    assert "row content does not match its hash" in result.output
    assert f"({seq - 1} rows verified before it)" in result.output


def test_edited_row_with_a_recomputed_hash_breaks_the_next_link(app, runner):
    seq = middle_seq()
    drop_trigger("audit_log_no_update")
    edit_detail(seq)
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == seq))
    db.session.execute(update(TABLE).where(TABLE.c.seq == seq)
                       .values(hash=_digest(entry.prev_hash, entry)))
    result = verify(runner)
    assert result.exit_code == 1
    assert broken_at(result) == seq + 1
    assert "link to the previous row is broken" in result.output


def test_deleted_middle_row_is_named(app, runner):
    seq = middle_seq()
    drop_trigger("audit_log_no_delete")
    db.session.execute(delete(TABLE).where(TABLE.c.seq == seq))
    result = verify(runner)
    assert result.exit_code == 1
    assert broken_at(result) == seq
    assert f"row {seq} is missing" in result.output


def test_deleted_last_row_is_named(app, runner):
    last = db.session.scalar(select(func.max(AuditEntry.seq)))
    drop_trigger("audit_log_no_delete")
    db.session.execute(delete(TABLE).where(TABLE.c.seq == last))
    result = verify(runner)
    assert result.exit_code == 1
    assert broken_at(result) == last
    assert f"rows after {last - 1} are missing" in result.output


def test_refusal_row_names_the_refused_action_and_keeps_the_chain(app, runner):
    # services write case.refused rows with the refused action in the detail (DESIGN §8)
    from enforcement.audit.services import record

    record("access.denied", obj_type="case", obj_id=1, reason="not_visible")
    record("case.refused", obj_type="case", obj_id=1, action="assign", reasons=["state"])
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 0, result.output
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert (last.action, last.detail) == ("case.refused",
                                          {"action": "assign", "reasons": ["state"]})


def test_database_refuses_to_empty_the_log(app):
    before = row_count()
    statement = ("TRUNCATE audit_log" if db.engine.dialect.name == "postgresql"
                 else "DELETE FROM audit_log")  # SQLite has no TRUNCATE
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert row_count() == before


def test_the_sweep_verifies_the_chain_and_alerts_once_per_break(app, runner):
    from enforcement.auth.models import User
    from enforcement.outbox.models import OutboxMessage

    def alerts():
        return db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.topic == "audit_chain")).all()

    db.session.commit()
    quiet = runner.invoke(args=["clocks", "sweep"])
    assert "audit chain:" in quiet.output and "entries verified" in quiet.output
    assert alerts() == []

    seq = middle_seq()
    drop_trigger("audit_log_no_update")
    edit_detail(seq)
    db.session.commit()
    result = runner.invoke(args=["clocks", "sweep"])
    assert result.exit_code == 1
    assert f"AUDIT CHAIN BROKEN at entry {seq}" in result.output
    sent = alerts()
    auditor, admin = (db.session.scalar(select(User).where(User.username == name))
                      for name in ("auditor", "admin"))
    assert {f"user:{auditor.id}", f"user:{admin.id}"} <= {m.recipient for m in sent}
    assert all(str(seq) in m.body and "审计日志" in m.subject for m in sent)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.chain_broken"))
    assert entry.detail["first_broken_seq"] == seq
    # the next sweep finds the same break: it fails again but does not alert again
    again = runner.invoke(args=["clocks", "sweep"])
    assert again.exit_code == 1 and len(alerts()) == len(sent)


def test_a_row_forged_past_the_head_is_named(app, runner):
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    db.session.execute(TABLE.insert().values(
        seq=last.seq + 1, at=last.at, actor_id=None, actor_name="-", action="forged",
        object_type=None, object_id=None, unit_id=None, ip=None, detail={},
        prev_hash=last.hash, hash="0" * 64))
    result = verify(runner)
    assert result.exit_code == 1
    assert broken_at(result) == last.seq + 1
    assert "beyond the chain's head" in result.output


def test_entries_join_the_chain_at_the_commit_and_vanish_with_a_rollback(app):
    """An entry is added to the transaction that records it: nothing is written (and the
    head is not locked) until that transaction commits; a rollback leaves no row."""
    from enforcement.audit.models import AuditHead
    from enforcement.audit.services import record

    before, head = row_count(), db.session.get(AuditHead, 1).last_seq
    db.session.commit()
    first = record("probe.first", obj_type="probe", obj_id=1)
    second = record("probe.second", obj_type="probe", obj_id=2)
    assert first.seq is None and row_count() == before  # queued: no row, no lock yet
    db.session.commit()
    assert (first.seq, second.seq) == (head + 1, head + 2)
    assert second.prev_hash == first.hash
    record("probe.rolled_back", obj_type="probe", obj_id=3)
    db.session.rollback()
    db.session.commit()  # a later commit of the same session appends nothing
    assert row_count() == before + 2
    assert db.session.get(AuditHead, 1).last_seq == head + 2
    assert verify_chain().ok
