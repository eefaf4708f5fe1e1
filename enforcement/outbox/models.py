"""Outbox messages, written in the same transaction as the action that causes them."""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db import UTCDateTime, enum_column, utcnow
from enforcement.extensions import db


class MessageStatus(enum.Enum):
    pending = "pending"  # waiting for (another) delivery attempt
    sending = "sending"  # claimed by a deliverer; reclaimed when its lease runs out
    #: being handed to a channel that cannot take a repeat (e-mail): if the deliverer dies
    #: now, nobody knows whether the message arrived
    handing_over = "handing_over"
    #: a hand-over interrupted by a crash: perhaps delivered, so never resent by itself; a
    #: person checks and settles it (``flask outbox settle``)
    uncertain = "uncertain"
    sent = "sent"
    failed = "failed"  # gave up after the maximum number of attempts


class OutboxMessage(db.Model):
    """一条待发送的通知 — a message to a reporter, a rights holder or a staff member."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    #: portal, sms or email
    channel: Mapped[str] = mapped_column(String(20))
    #: a phone number, an e-mail address, or ``user:<id>`` for the portal inbox
    recipient: Mapped[str] = mapped_column(String(120), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: what the message is about (filing_decision, outcome, identification, mediation, ...)
    topic: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    status: Mapped[MessageStatus] = mapped_column(enum_column(MessageStatus, 16),
                                                  default=MessageStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: not before this moment (backoff after a failed attempt); None: at once
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the deliverer holding the message and since when (its lease)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: portal messages: when the account holder opened it
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt, so a receiver can drop a repeat (see delivery)."""
        return f"outbox-{self.id}"
