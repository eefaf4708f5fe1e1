"""Appending to and verifying the audit chain."""
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from enforcement.audit.models import AuditEntry, AuditHead
from enforcement.db import utcnow
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
    """Append one entry in the caller's transaction (flushes, never commits)."""
    head = db.session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        db.session.add(head)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "-",
        action=action,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        unit_id=unit_id,
        ip=ip,
        detail=json.loads(json.dumps(detail, ensure_ascii=False, default=str)),
        prev_hash=head.last_hash,
    )
    entry.hash = _digest(entry.prev_hash, entry)
    head.last_seq, head.last_hash = entry.seq, entry.hash
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class ChainReport:
    ok: bool
    checked: int
    #: the sequence number of the first row that does not verify, or of the first missing one
    first_broken_seq: int | None = None
    problem: str = ""


def verify_chain() -> ChainReport:
    """Walk the chain in order; name the first edited, inserted or missing row."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    rows = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows:
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"row {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, entry.seq, "link to the previous row is broken")
        if _digest(prev_hash, entry) != entry.hash:
            return ChainReport(False, checked, entry.seq, "row content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_seq != checked or head.last_hash != prev_hash):
        return ChainReport(False, checked, checked + 1, f"rows after {checked} are missing")
    return ChainReport(True, checked)
