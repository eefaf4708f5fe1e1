"""Thumbnails of photo evidence for the case page.

A thumbnail is a small JPEG re-encoded from the pixels only: its EXIF (GPS position, camera,
time) is not copied, while the original keeps it untouched as evidence. It is made when first
viewed (so an upload stores exactly the files it was given), from an original whose hash has
just been checked; it is stored like the original (generated key, SHA-256) and checked again
each time it is served.
"""
import hashlib
import io
import logging
from datetime import datetime

from PIL import Image, ImageOps
from sqlalchemy import ForeignKey, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db import UTCDateTime, utcnow
from enforcement.evidence.models import Evidence
from enforcement.evidence.storage import StorageFull, get_storage, track_new_file
from enforcement.extensions import db

log = logging.getLogger(__name__)

#: the longest side of a thumbnail, in pixels (sharp on a phone at 2× for a 160 px tile)
MAX_SIDE = 320
QUALITY = 80


class EvidenceThumbnail(db.Model):
    """缩略图 — the preview of one photo evidence file."""

    __tablename__ = "evidence_thumbnails"

    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThumbnailUnavailable(RuntimeError):
    """No thumbnail can be shown: not a photo, unreadable, or its bytes fail their check."""


def has_thumbnail(evidence: Evidence) -> bool:
    return evidence.content_type.startswith("image/")


def render(data: bytes, max_side: int = MAX_SIDE,
           quality: int = QUALITY) -> tuple[bytes, int, int]:
    """A JPEG of an image no larger than ``max_side``: upright (EXIF orientation applied),
    pixels only — also how a photo is shown to anyone outside the bureau."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (max_side, max_side))  # JPEG: decode at a reduced scale
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((max_side, max_side))
        if upright.mode != "RGB":
            upright = upright.convert("RGB")
        out = io.BytesIO()
        # no exif=, icc_profile= or comment: nothing of the original's metadata is written
        upright.save(out, "JPEG", quality=quality, optimize=True)
        return out.getvalue(), upright.width, upright.height


def create_for(evidence: Evidence, data: bytes) -> EvidenceThumbnail | None:
    """Store the thumbnail of ``evidence`` inside the caller's transaction (flushes)."""
    if not has_thumbnail(evidence):
        return None
    try:
        jpeg, width, height = render(data)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("no thumbnail for evidence %s: %s", evidence.id, exc)
        return None
    try:
        key, size, sha256 = get_storage().put(io.BytesIO(jpeg))
    except StorageFull:
        log.warning("no thumbnail for evidence %s: the storage volume is full", evidence.id)
        return None  # a preview is not worth an error page; the original is intact
    track_new_file(db.session, key)
    thumbnail = EvidenceThumbnail(evidence_id=evidence.id, storage_key=key, sha256=sha256,
                                  size=size, width=width, height=height)
    db.session.add(thumbnail)
    db.session.flush()
    return thumbnail


def thumbnail_bytes(evidence: Evidence) -> tuple[EvidenceThumbnail, bytes]:
    """The checked bytes of the evidence's thumbnail, made now if it has none yet (commits)."""
    if not has_thumbnail(evidence):
        raise ThumbnailUnavailable(evidence.id)
    storage = get_storage()
    thumbnail = db.session.get(EvidenceThumbnail, evidence.id)
    if thumbnail is None:
        thumbnail = _made_on_first_view(evidence)
    data = storage.read(thumbnail.storage_key)
    if hashlib.sha256(data).hexdigest() != thumbnail.sha256:
        raise ThumbnailUnavailable(evidence.id)
    return thumbnail, data


def _made_on_first_view(evidence: Evidence) -> EvidenceThumbnail:
    original = get_storage().read(evidence.storage_key)
    if hashlib.sha256(original).hexdigest() != evidence.sha256:
        raise ThumbnailUnavailable(evidence.id)  # never a preview of altered evidence
    evidence_id = evidence.id
    try:
        thumbnail = create_for(evidence, original)
        if thumbnail is None:
            raise ThumbnailUnavailable(evidence_id)
        db.session.commit()
    except IntegrityError:
        # another request made it at the same moment: use theirs (ours is rolled back)
        db.session.rollback()
        thumbnail = db.session.get(EvidenceThumbnail, evidence_id)
        if thumbnail is None:
            raise ThumbnailUnavailable(evidence_id) from None
    return thumbnail
