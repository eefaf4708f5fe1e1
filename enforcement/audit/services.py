"""Appending to and verifying the audit chain."""
import hashlib
import json
from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import bindparam, func, insert, select, update

from enforcement.audit.models import AuditEntry, AuditHead
from enforcement.db import utcnow
from enforcement.errors import DENIAL_ACTIONS
from enforcement.extensions import db

GENESIS_HASH = "0" * 64


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "unit_id": entry.unit_id,
        "ip": entry.ip,
        "detail": entry.detail,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def record(action, /, *, actor=None, obj_type=None, obj_id=None, unit_id=None, ip=None,
           **detail):
    """Append one entry in the caller's transaction (never commits).

    The single head row is the chain's lock: it is taken here, after the caller's pending
    changes are flushed, and held until the caller's commit — so callers record last. Plain
    statements, without the unit of work: lock and read the head, then insert the entry and
    move the head (one statement on PostgreSQL); a head object loaded in this session is
    expired."""
    db.session.flush()  # the caller's changes go first: the lock below is held to the commit
    conn = db.session.connection()
    head = conn.execute(_HEAD).one_or_none()
    if head is None:
        conn.execute(insert(AuditHead).values(id=1, last_seq=0, last_hash=GENESIS_HASH))
        last_seq, last_hash = 0, GENESIS_HASH
    else:
        last_seq, last_hash = head
    entry = AuditEntry(
        seq=last_seq + 1,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "-",
        action=action,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        unit_id=unit_id,
        ip=ip,
        detail=json.loads(json.dumps(detail, ensure_ascii=False, default=str)),
        prev_hash=last_hash,
    )
    entry.hash = _digest(entry.prev_hash, entry)
    params = {column: getattr(entry, column) for column in _COLUMNS}
    params.update(head_seq=entry.seq, head_hash=entry.hash)
    if conn.dialect.name == "postgresql":
        # one statement: the head moves in a data-modifying WITH of the INSERT
        entry.id = conn.execute(_APPEND_AND_MOVE, params).scalar_one()
    else:
        entry.id = conn.execute(_APPEND, params).scalar_one()
        conn.execute(_MOVE, params)
    loaded = db.session.identity_map.get(db.session.identity_key(AuditHead, 1))
    if loaded is not None:
        db.session.expire(loaded)
    if action in DENIAL_ACTIONS and has_app_context():
        g.denial_audited = True  # the request's 403/404 needs no second row (errors.py)
    return entry


#: the columns an entry is inserted with (all but the id)
_COLUMNS = ("seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id",
            "unit_id", "ip", "detail", "prev_hash", "hash")
# the statements, built once
_HEAD = select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1) \
    .with_for_update()
_MOVE = update(AuditHead).where(AuditHead.id == 1).values(
    last_seq=bindparam("head_seq", type_=AuditHead.__table__.c.last_seq.type),
    last_hash=bindparam("head_hash", type_=AuditHead.__table__.c.last_hash.type))
_APPEND = insert(AuditEntry).values(
    {column: bindparam(column, type_=AuditEntry.__table__.c[column].type)
     for column in _COLUMNS}).returning(AuditEntry.id)
_APPEND_AND_MOVE = _APPEND.add_cte(_MOVE.cte("moved_head"))


@dataclass
class ChainReport:
    ok: bool
    checked: int
    #: the sequence number of the first row that does not verify, or of the first missing one
    first_broken_seq: int | None = None
    problem: str = ""


def verify_chain() -> ChainReport:
    """Walk the chain in order; name the first edited, inserted or missing row.

    The head is read first and the walk stops at it: rows appended while the walk runs (by
    other transactions, committed after the head was read) belong to a later check."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    head = db.session.get(AuditHead, 1)
    query = select(AuditEntry).order_by(AuditEntry.seq)
    if head is not None:
        query = query.where(AuditEntry.seq <= head.last_seq)
    rows = db.session.execute(query).scalars()
    for entry in rows:
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"row {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, entry.seq, "link to the previous row is broken")
        if _digest(prev_hash, entry) != entry.hash:
            return ChainReport(False, checked, entry.seq, "row content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    if head is not None and (head.last_seq != checked or head.last_hash != prev_hash):
        return ChainReport(False, checked, checked + 1, f"rows after {checked} are missing")
    if head is not None:
        # a row past the head that the head does not know of was not appended by the chain:
        # the last row first, then the head as it is now (a concurrent append moves both)
        last = db.session.scalar(select(func.max(AuditEntry.seq)))
        now = db.session.scalar(select(AuditHead.last_seq).where(AuditHead.id == 1))
        if last is not None and now is not None and last > now:
            return ChainReport(False, checked, now + 1,
                               f"row {now + 1} lies beyond the chain's head")
    return ChainReport(True, checked)
