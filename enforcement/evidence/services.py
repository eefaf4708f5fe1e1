"""Storing evidence files and reading them back with their integrity checked."""
import hashlib

from enforcement.audit import services as audit
from enforcement.evidence.checks import check_upload
from enforcement.evidence.models import Evidence
from enforcement.evidence.storage import get_storage, track_new_file
from enforcement.extensions import db


class IntegrityFailure(RuntimeError):
    """The stored bytes no longer match the hash taken at upload."""


def store(case, upload, *, actor, description: str = "") -> Evidence:
    """Store one checked upload and its row, inside the caller's transaction (flushes)."""
    checked = check_upload(upload.stream, upload.filename)
    key, size, sha256 = get_storage().put(upload.stream)
    track_new_file(db.session, key)
    evidence = Evidence(case_id=case.id, original_name=_safe_name(upload.filename),
                        content_type=checked.content_type, size=size, sha256=sha256,
                        storage_key=key, description=description[:300],
                        uploaded_by_id=actor.id)
    db.session.add(evidence)
    db.session.flush()
    return evidence


def adopt(case, stored: dict, *, actor, description: str = "") -> Evidence:
    """The row of a file stored and checked earlier (a report's files, stored when it was
    received): ``stored`` holds its key, name, content type, size and sha256 (flushes)."""
    evidence = Evidence(case_id=case.id, original_name=_safe_name(stored["name"]),
                        content_type=stored["content_type"], size=stored["size"],
                        sha256=stored["sha256"], storage_key=stored["key"],
                        description=description[:300], uploaded_by_id=actor.id)
    db.session.add(evidence)
    db.session.flush()
    return evidence


def read_checked(evidence: Evidence, *, actor, ip=None) -> bytes:
    """The file's bytes after checking them against the upload hash; the download is audited."""
    data = get_storage().read(evidence.storage_key)
    if hashlib.sha256(data).hexdigest() != evidence.sha256:
        audit.record("evidence.integrity_failed", actor=actor, obj_type="evidence",
                     obj_id=evidence.id, ip=ip)
        db.session.commit()
        raise IntegrityFailure(evidence.id)
    audit.record("evidence.download", actor=actor, obj_type="evidence", obj_id=evidence.id,
                 ip=ip, case_id=evidence.case_id)
    db.session.commit()
    return data


def _safe_name(filename: str) -> str:
    # only the last path component, without control characters; shown, never used as a path
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:255] or "file"
