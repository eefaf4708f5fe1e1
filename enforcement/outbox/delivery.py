"""Delivering the outbox: each message is claimed by one deliverer, sent, and marked.

Exactly once between concurrent deliverers: a message is claimed by a conditional UPDATE
(``status = 'pending'`` or a lapsed claim) committed before anything is sent, and on
PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED`` so deliverers do not queue on
each other. Between a crash and a channel it is *at least* once: a deliverer that dies after
the channel accepted a message and before it marked it sent leaves the claim to lapse
(``OUTBOX_LEASE_SECONDS``) and the message is sent again, with the same idempotency key
(the e-mail Message-ID, the SMS client reference). Losing a legal notice is worse than
repeating it, so no message is given up on silently: after ``OUTBOX_MAX_ATTEMPTS`` it is
marked failed with its last error, for a person to follow up.
"""
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from enforcement.db import utcnow
from enforcement.extensions import db
from enforcement.outbox.channels import Channel, DeliveryError, channels_for
from enforcement.outbox.models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)

#: seconds to wait after the n-th failed attempt (then the last figure again)
BACKOFF = (60, 300, 900, 3600, 3 * 3600)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _claimable(now: datetime, lease: timedelta):
    return or_(
        and_(OutboxMessage.status == MessageStatus.pending,
             or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)),
        # a deliverer that took it died before marking it: its claim has lapsed
        and_(OutboxMessage.status == MessageStatus.sending, OutboxMessage.claimed_at < now - lease),
    )


def claim(token: str, limit: int, now: datetime, lease: timedelta) -> list[int]:
    """Take up to ``limit`` messages for this deliverer; commits, so the claim is visible."""
    candidates = select(OutboxMessage.id).where(_claimable(now, lease)) \
        .order_by(OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    if ids:
        # the WHERE repeats the condition: a row another deliverer took meanwhile is not ours
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), _claimable(now, lease))
            .values(status=MessageStatus.sending, claim_token=token, claimed_at=now,
                    attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False))
    claimed = list(db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.claim_token == token,
                                       OutboxMessage.status == MessageStatus.sending)
        .order_by(OutboxMessage.id)))
    db.session.commit()
    return claimed


def _finish(message_id: int, token: str, **values) -> bool:
    """Record the attempt's result, if the claim is still ours."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token,
               OutboxMessage.status == MessageStatus.sending)
        .values(claim_token=None, **values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def send_one(message_id: int, token: str, channels: dict[str, Channel], report: DeliveryReport,
             max_attempts: int) -> None:
    message = db.session.get(OutboxMessage, message_id)
    channel = channels.get(message.channel)
    what = (message.recipient, message.subject, message.body, message.idempotency_key)
    # no transaction is held while the channel works (on SQLite it would be the write lock)
    db.session.commit()
    try:
        if channel is None:
            raise DeliveryError(f"no adapter for channel {message.channel!r}")
        channel.send(*what)
    except DeliveryError as exc:
        _failed(message, token, str(exc)[:2000], report, max_attempts)
        return
    now = utcnow()
    if _finish(message.id, token, status=MessageStatus.sent, sent_at=now, last_error=None):
        from enforcement.notifications.services import on_delivered

        on_delivered(message)
        report.sent += 1
    else:
        log.warning("outbox %s: sent, but the claim had lapsed and was taken over", message.id)
    db.session.commit()


def _failed(message, token, error, report, max_attempts):
    attempts = message.attempts
    if attempts >= max_attempts:
        _finish(message.id, token, status=MessageStatus.failed, last_error=error)
        report.failed += 1
        log.error("outbox %s: failed after %s attempts: %s", message.id, attempts, error)
    else:
        delay = BACKOFF[min(attempts, len(BACKOFF)) - 1]
        _finish(message.id, token, status=MessageStatus.pending, last_error=error,
                next_attempt_at=utcnow() + timedelta(seconds=delay))
        report.retried += 1
        log.warning("outbox %s: attempt %s failed, next in %ss: %s", message.id, attempts,
                    delay, error)
    report.errors.append(error)
    db.session.commit()


def deliver_pending(*, limit: int = 100, batch: int = 20,
                    channels: dict[str, Channel] | None = None) -> DeliveryReport:
    """Send what is due, up to ``limit`` messages; safe to run in several processes at once."""
    config = current_app.config
    channels = channels if channels is not None else channels_for(config)
    lease = timedelta(seconds=config["OUTBOX_LEASE_SECONDS"])
    max_attempts = config["OUTBOX_MAX_ATTEMPTS"]
    token, report, done = uuid.uuid4().hex, DeliveryReport(), 0
    _give_up_abandoned(max_attempts, lease)
    while done < limit:
        ids = claim(token, min(batch, limit - done), utcnow(), lease)
        if not ids:
            break
        for message_id in ids:
            send_one(message_id, token, channels, report, max_attempts)
        done += len(ids)
    return report


def _give_up_abandoned(max_attempts: int, lease: timedelta) -> None:
    """A message whose deliverers kept dying mid-send is not tried for ever."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.sending,
               OutboxMessage.claimed_at < utcnow() - lease,
               OutboxMessage.attempts >= max_attempts)
        .values(status=MessageStatus.failed, claim_token=None,
                last_error="delivery interrupted repeatedly")
        .execution_options(synchronize_session=False))
    db.session.commit()
