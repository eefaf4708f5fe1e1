"""Rule data with effective dates, and what a case applied."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import UTCDateTime, utcnow
from enforcement.extensions import db


class Rule(db.Model):
    """规则数据 — one version of a rule, in force from a day until the next version's day.

    A version a case has applied is never changed or deleted: a new version with a later
    effective date is added instead, so a decided case keeps the figures it was decided on.
    """

    __tablename__ = "rules"
    __table_args__ = (UniqueConstraint("code", "effective_from",
                                       name="uq_rules_code_effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: a code of ``enforcement.rules.catalogue.RULE_KINDS``
    code: Mapped[str] = mapped_column(String(60), index=True)
    effective_from: Mapped[date]
    #: the figures, by the names the catalogue gives them (money as decimal strings)
    value: Mapped[dict] = mapped_column(JSON)
    #: the law, interpretation or notice the figures come from
    source: Mapped[str] = mapped_column(String(300))
    #: V verified against the text, S secondary source, R recalled (DESIGN preamble)
    confidence: Mapped[str] = mapped_column(String(1))
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entered_by = relationship("User")

    def __repr__(self) -> str:
        return f"<Rule {self.code} from {self.effective_from}>"


class RuleApplication(db.Model):
    """A rule as a case applied it: the version, the day it was chosen for, the figures as
    they then stood and what came of them (e.g. the fine cap). Written by the action."""

    __tablename__ = "rule_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    #: the day whose rule was applied (the act, the decision, the review)
    applied_on: Mapped[date]
    figures: Mapped[dict] = mapped_column(JSON)
    outcome: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rule: Mapped[Rule] = relationship()
