"""Every packet built for a receiver: who downloaded which referral's packet, when, and what
its manifest hashed to."""
import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db


class BuildStatus(enum.Enum):
    started = "started"  # streaming, or the client stopped reading before the end
    completed = "completed"  # manifest.json and manifest.sig were written
    failed = "failed"  # a stored file did not match its SHA-256: the build was aborted


class PacketBuild(db.Model):
    """卷宗包下载记录 — one packet built and streamed to a user (web, API or CLI)."""

    __tablename__ = "packet_builds"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"),
                                             index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: the downloading user's unit at the time
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    #: "web", "api" or "cli"
    via: Mapped[str] = mapped_column(String(10))
    status: Mapped[BuildStatus] = mapped_column(enum_column(BuildStatus),
                                                default=BuildStatus.started)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: SHA-256 of the manifest.json streamed (the bytes the signature covers)
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    #: files listed in the manifest and their total size in bytes
    file_count: Mapped[int | None]
    total_bytes: Mapped[int | None] = mapped_column(BigInteger)
    #: the signing key's id (first 16 hex digits of SHA-256 of the raw public key)
    key_id: Mapped[str | None] = mapped_column(String(16))

    user = relationship("User")
    unit = relationship("OrgUnit")


def downloads_for(referral_id: int) -> list[PacketBuild]:
    """The packet downloads of a referral, newest first (``user``, ``unit``, ``started_at``,
    ``status``, ``via`` on each row) — for the receivers' inbox."""
    return list(db.session.scalars(
        select(PacketBuild).where(PacketBuild.referral_id == referral_id)
        .order_by(PacketBuild.started_at.desc(), PacketBuild.id.desc())))
