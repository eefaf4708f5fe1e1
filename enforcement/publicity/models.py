"""Published penalty information (行政处罚信息公示) and its lifecycle records."""
import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.auth.models import User
from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db


class EntryStatus(enum.Enum):
    active = "active"  # 公示中
    withdrawn = "withdrawn"  # 决定被撤销或变更，已撤回 (Order 45 Art. 14)
    taken_down = "taken_down"  # 公示期满，已撤下 (Order 45 Art. 13)
    removed_early = "removed_early"  # 信用修复，提前停止公示


STATUS_LABELS = {
    EntryStatus.active: _l("公示中"),
    EntryStatus.withdrawn: _l("已撤回"),
    EntryStatus.taken_down: _l("公示期满已撤下"),
    EntryStatus.removed_early: _l("信用修复提前停止公示"),
}


class PublicationEntry(db.Model):
    """One published penalty decision: the summary, the redacted decision and its PDF.

    Only redacted data is stored here (never the original text): the case file keeps the
    originals. The party's ID number is kept only as a keyed digest to recognise the same
    party across entries (repeat infringers), never in the clear."""

    __tablename__ = "publication_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: the 行政处罚决定书 published
    decision_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    #: the 行政处罚信息摘要 issued by the publish action
    summary_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # -- the summary (Order 45 Art. 6), redacted -----------------------------------------------
    decision_number: Mapped[str] = mapped_column(String(60), index=True)
    party_name: Mapped[str] = mapped_column(String(120))
    party_is_person: Mapped[bool] = mapped_column(default=False)
    #: credit code of an organisation, or the masked ID number of a natural person
    party_identifier: Mapped[str | None] = mapped_column(String(32), index=True)
    #: credit code, or HMAC of the ID number: the same party across entries
    party_key: Mapped[str | None] = mapped_column(String(64), index=True)
    violation_type: Mapped[str] = mapped_column(String(200))
    penalty: Mapped[str] = mapped_column(Text)
    fine_total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    authority: Mapped[str] = mapped_column(String(120))
    decided_on: Mapped[date] = mapped_column(Date)
    district: Mapped[str] = mapped_column(String(32))
    marks: Mapped[str] = mapped_column(String(300), default="")
    #: 从重: repeated infringement within five years (商标法 Art. 60 ¶2)
    heavier: Mapped[bool] = mapped_column(default=False)
    # -- the redacted decision ---------------------------------------------------------------
    #: the decision's data with the redaction applied (what the page and the PDF show)
    redacted_data: Mapped[dict] = mapped_column(JSON)
    #: which rules masked what (counts and rule codes, never the values masked)
    redaction_log: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the redacted decision as HTML (the same rendering as the PDF's, without the QR box)
    redacted_html: Mapped[str] = mapped_column(Text, deferred=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    # -- lifecycle -----------------------------------------------------------------------------
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus),
                                                default=EntryStatus.active)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_on: Mapped[date] = mapped_column(Date)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    period_months: Mapped[int] = mapped_column(default=36)
    #: the last day the entry is public (the publication_period clock's due day)
    period_ends_on: Mapped[date] = mapped_column(Date)
    #: when the entry last changed (Last-Modified of the public pages)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)
    #: 信用修复: the four conditions as recorded, and the application date
    repair: Mapped[dict | None] = mapped_column(JSON)
    #: a decision revoked or changed: recorded, to be withdrawn within 3 working days
    revocation: Mapped[dict | None] = mapped_column(JSON)
    # -- exposure (曝光台) ------------------------------------------------------------------------
    typical: Mapped[bool] = mapped_column(default=False)
    typical_note: Mapped[str | None] = mapped_column(Text)
    typical_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    published_by: Mapped[User] = relationship(foreign_keys=[published_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


#: the public list and search: by status and period first, then newest; trigram indexes for
#: words inside a name (pg_trgm GIN on PostgreSQL; plain on SQLite, like cases' search)
PUBLIC_INDEXES = (
    Index("ix_publication_entries_public", PublicationEntry.status,
          PublicationEntry.decided_on, PublicationEntry.id),
    Index("ix_publication_entries_district", PublicationEntry.district,
          PublicationEntry.decided_on),
    Index("ix_publication_entries_typical", PublicationEntry.typical,
          PublicationEntry.decided_on),
    Index("ix_publication_entries_changed_at", PublicationEntry.changed_at),
    *(Index(f"ix_publication_entries_{column.name}_trgm", column, postgresql_using="gin",
            postgresql_ops={column.name: "gin_trgm_ops"})
      for column in (PublicationEntry.party_name, PublicationEntry.marks)),
)
