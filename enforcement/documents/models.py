"""Issued documents, their number sequences and the number formats in force."""
import base64
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, event, false, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, utcnow
from enforcement.extensions import db


def new_verify_code() -> str:
    """120 random bits in base32 (24 characters, A–Z and 2–7): unguessable, easy to type."""
    return base64.b32encode(secrets.token_bytes(15)).decode()


class Document(db.Model):
    """文书 — an issued document; immutable once its action committed.

    Only service and revocation facts change afterwards; a correction is a new document
    that revokes this one (see :func:`enforcement.documents.services.correct`).
    """

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: the issuing unit (作出文书的机关), fixed at issue time
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: document type code from :mod:`enforcement.documents.types`
    doc_type: Mapped[str] = mapped_column(String(40), index=True)
    #: 文号 such as 巴市监处罚〔2026〕12号; None for documents that carry no number
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    #: the case event (action) that issued it
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    #: digest of the template files it was rendered with (see rendering.template_version)
    template_version: Mapped[str] = mapped_column(String(20), default="1")
    #: the plain data the document was rendered from
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int | None]
    #: numbered and frozen (data, template version) but its PDF not made yet: a document type
    #: rendered after the issuing transaction (DocType.render == "deferred"); pdf, sha256 and
    #: page_count are filled once, by documents.services.ensure_rendered
    render_pending: Mapped[bool] = mapped_column(default=False, server_default=false(),
                                                 index=True)
    #: the code of the public page /verify/<code> that the QR code on the document opens
    verify_code: Mapped[str] = mapped_column(String(32), unique=True, default=new_verify_code)
    #: whether a 送达回证 must record its service to the party
    requires_service: Mapped[bool] = mapped_column(default=False)
    #: the day of service written on the 送达回证; periods "from service" count from it
    served_on: Mapped[date | None]
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the earlier document this one corrects; that one is revoked by this one's issue
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_reason: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case")
    unit = relationship("OrgUnit")
    issued_by = relationship("User", foreign_keys=[issued_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


#: what may still change on an issued document: its service and its revocation
MUTABLE_AFTER_ISSUE = frozenset({"served_on", "served_at", "revoked_at", "revoked_by_id",
                                 "revoked_reason"})


class ImmutableDocument(RuntimeError):
    """Raised when code tries to change what an issued document says."""


@event.listens_for(Document, "before_update")
def _refuse_changes_to_issued_content(mapper, connection, target):
    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    frozen = changed - MUTABLE_AFTER_ISSUE
    if frozen:
        raise ImmutableDocument(f"document {target.id}: {sorted(frozen)} cannot change")


class NumberSequence(db.Model):
    """The last number given per unit, document type and year (gapless numbering)."""

    __tablename__ = "number_sequences"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class NumberFormat(db.Model):
    """文号格式 — rule data: how a unit numbers a document type from a day on.

    ``unit_id`` or ``doc_type`` left empty apply to every unit or type; the most specific row
    in force wins (unit and type, unit, type, neither), then the latest ``effective_from``.
    Placeholders: ``{short}`` the unit's short name, ``{word}`` the type's word, ``{year}``,
    ``{n}`` (or ``{n:03}`` zero-padded). Brackets 〔〕 per GB/T 9704-2012 §7.2.4.
    """

    __tablename__ = "document_number_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    doc_type: Mapped[str | None] = mapped_column(String(40))
    pattern: Mapped[str] = mapped_column(String(120))
    effective_from: Mapped[date]
    #: where the format comes from (a bureau's numbering rules, GB/T 9704)
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
