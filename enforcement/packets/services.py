"""Downloading a referral's packet: jurisdiction, the record of every download, the stream.

:func:`start_download` owns its transactions: the denial or the download is audited and
committed before the first byte streams; the stream records the manifest's SHA-256 when it
ends (or the integrity failure that stopped it).
"""
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from enforcement.audit import services as audit
from enforcement.cases.scope import can_read_referral
from enforcement.db import utcnow
from enforcement.errors import NotFound
from enforcement.extensions import db
from enforcement.packets import build, keys
from enforcement.packets.models import BuildStatus, PacketBuild
from enforcement.referrals.models import Referral

log = logging.getLogger(__name__)

VIA = frozenset({"web", "api", "cli"})


@dataclass
class Download:
    build_id: int
    referral_id: int
    #: the download name, e.g. 移送卷宗包_临市监立〔2026〕3号_12.zip
    filename: str
    chunks: Iterator[bytes]


def public_key_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/packets/public-key.pem"


def readable_referral(referral_id: int, actor, *, ip=None) -> Referral:
    """The referral if the actor may read its packet; otherwise NotFound, audited — a
    referral outside the actor's jurisdiction looks exactly like a missing one."""
    referral = db.session.get(Referral, referral_id)
    if referral is None or not can_read_referral(actor, referral):
        db.session.rollback()
        audit.record("access.denied", actor=actor, obj_type="referral", obj_id=referral_id,
                     ip=ip, reason="missing" if referral is None else "not_visible")
        db.session.commit()
        raise NotFound()
    return referral


def start_download(referral_id: int, actor, *, ip=None, via: str = "web") -> Download:
    """Check jurisdiction, record the download and return the packet's stream."""
    if via not in VIA:
        raise ValueError(f"unknown channel {via}")
    referral = readable_referral(referral_id, actor, ip=ip)
    record = PacketBuild(referral_id=referral.id, case_id=referral.case_id, user_id=actor.id,
                         unit_id=actor.unit_id, via=via, key_id=keys.key_id())
    db.session.add(record)
    db.session.flush()
    audit.record("packet.download", actor=actor, obj_type="referral", obj_id=referral.id,
                 unit_id=referral.unit_id, ip=ip, case_id=referral.case_id, build_id=record.id,
                 kind=referral.kind.value, via=via)
    db.session.commit()
    build_id, started_at = record.id, record.started_at
    try:
        plan = build.plan(referral, actor, public_key_url=public_key_url(), build_id=build_id)
    except Exception:
        db.session.rollback()
        _finish(build_id, BuildStatus.failed)
        raise
    name = build.safe_name(f"移送卷宗包_{plan.case_number}_{referral_id}", 150)
    return Download(build_id, referral_id, f"{name}.zip",
                    _stream(plan, build_id, actor.id, ip, started_at))


def _stream(plan, build_id: int, actor_id: int, ip, built_at) -> Iterator[bytes]:
    key = keys.signing_key()

    def done(manifest: bytes, files: list[dict]) -> None:
        digest = hashlib.sha256(manifest).hexdigest()
        _finish(build_id, BuildStatus.completed, manifest_sha256=digest,
                file_count=len(files), total_bytes=sum(f["size"] for f in files))
        log.info("packet %s of referral %s built: %d files, manifest %s", build_id,
                 plan.referral_id, len(files), digest)

    try:
        yield from build.stream(plan, sign=key.sign, key_id=keys.key_id(key.public_key()),
                                built_at=built_at, on_done=done)
    except build.PacketIntegrityError as exc:
        db.session.rollback()
        _finish(build_id, BuildStatus.failed, audit_action="packet.integrity_failed",
                actor_id=actor_id, ip=ip, path=exc.path, expected=exc.expected,
                actual=exc.actual)
        raise


def _finish(build_id: int, status: BuildStatus, *, audit_action=None, actor_id=None, ip=None,
            **facts) -> None:
    from enforcement.auth.models import User

    record = db.session.get(PacketBuild, build_id)
    record.status = status
    record.completed_at = utcnow()
    for name in ("manifest_sha256", "file_count", "total_bytes"):
        if name in facts:
            setattr(record, name, facts.pop(name))
    if audit_action:
        actor = db.session.get(User, actor_id) if actor_id else None
        audit.record(audit_action, actor=actor, obj_type="referral", obj_id=record.referral_id,
                     ip=ip, case_id=record.case_id, build_id=build_id, **facts)
    db.session.commit()

