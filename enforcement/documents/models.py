"""Issued documents and their number sequences."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, utcnow
from enforcement.extensions import db


class Document(db.Model):
    """文书 — an issued document; immutable once its action committed."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: document type code from :mod:`enforcement.documents.types`
    doc_type: Mapped[str] = mapped_column(String(40), index=True)
    #: 文号 such as 巴市监处罚〔2026〕12号; None for documents that carry no number
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    #: the case event (action) that issued it
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    template_version: Mapped[str] = mapped_column(String(20), default="1")
    #: the plain data the document was (or will be) rendered from
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: whether a 送达回证 must record its service to the party
    requires_service: Mapped[bool] = mapped_column(default=False)
    #: the day of service written on the 送达回证; periods "from service" count from it
    served_on: Mapped[date | None]
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case = relationship("Case")


class NumberSequence(db.Model):
    """The last number given per unit, document type and year (gapless numbering)."""

    __tablename__ = "number_sequences"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
