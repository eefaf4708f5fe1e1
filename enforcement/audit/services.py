"""Appending to and verifying the audit chain."""
import hashlib
import json
from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import bindparam, event, func, insert, select, update
from sqlalchemy.orm import Session

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
    """Add one entry to the caller's transaction (never commits): it joins the chain when
    the transaction commits, and is gone with it if it rolls back.

    The single head row is the chain's lock. It is taken only at the commit, after the
    caller's own changes are flushed, and held for a few statements: a transaction that
    audits early and then works on (renders a document, allocates numbers) no longer holds
    every other audited request back while it works."""
    entry = AuditEntry(
        at=utcnow(),  # when it happened; its place in the chain is the commit's
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "-",
        action=action,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        unit_id=unit_id,
        ip=ip,
        detail=json.loads(json.dumps(detail, ensure_ascii=False, default=str)),
    )
    session = db.session()
    if not session.in_transaction():
        session.begin()  # the entry belongs to a transaction: it ends with it
    session.info.setdefault(_QUEUED, []).append(entry)
    if action in DENIAL_ACTIONS and has_app_context():
        g.denial_audited = True  # the request's 403/404 needs no second row (errors.py)
    return entry


#: session key of the entries recorded in the current transaction, not yet in the chain
_QUEUED = "enforcement.audit.queued"


@event.listens_for(Session, "before_commit")
def _append_queued(session) -> None:
    """Append the transaction's entries, in the order they were recorded, right before it
    commits: its own changes first (flushed), then the head locked, read and moved."""
    while session.info.get(_QUEUED):
        session.flush()
        _append(session, session.info.pop(_QUEUED))


@event.listens_for(Session, "after_transaction_end")
def _forget_queued(session, transaction) -> None:
    if transaction.parent is None:  # rolled back or closed without a commit: never happened
        session.info.pop(_QUEUED, None)


def _append(session, entries: list[AuditEntry]) -> None:
    """Chain the entries after the head (plain statements, without the unit of work): lock
    and read the head, then insert each entry and move the head (one statement each on
    PostgreSQL); a head object loaded in this session is expired."""
    conn = session.connection()
    head = conn.execute(_HEAD).one_or_none()
    if head is None:
        conn.execute(insert(AuditHead).values(id=1, last_seq=0, last_hash=GENESIS_HASH))
        last_seq, last_hash = 0, GENESIS_HASH
    else:
        last_seq, last_hash = head
    for entry in entries:
        entry.seq, entry.prev_hash = last_seq + 1, last_hash
        entry.hash = _digest(entry.prev_hash, entry)
        params = {column: getattr(entry, column) for column in _COLUMNS}
        params.update(head_seq=entry.seq, head_hash=entry.hash)
        if conn.dialect.name == "postgresql":
            # one statement: the head moves in a data-modifying WITH of the INSERT
            entry.id = conn.execute(_APPEND_AND_MOVE, params).scalar_one()
        else:
            entry.id = conn.execute(_APPEND, params).scalar_one()
            conn.execute(_MOVE, params)
        last_seq, last_hash = entry.seq, entry.hash
    loaded = session.identity_map.get(session.identity_key(AuditHead, 1))
    if loaded is not None:
        session.expire(loaded)


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
