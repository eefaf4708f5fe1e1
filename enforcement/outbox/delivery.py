"""Delivering the outbox: each message is claimed by one deliverer, sent, and marked.

Exactly once between concurrent deliverers: a message is claimed by a conditional UPDATE
(``status = 'pending'`` or a lapsed claim) committed before anything is sent, and on
PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED`` so deliverers do not queue on
each other.

Across a crash of the deliverer (issue 10 item 5; tests/ops/test_faults.py kills it):

* **after the claim, before the hand-over** — nothing left the building: the claim lapses
  (``OUTBOX_LEASE_SECONDS``) and the message is sent by the next run, once.
* **during the hand-over** — the one moment that cannot be made exact: the receiver may have
  taken the message and the deliverer died before recording it. For a channel that takes a
  repeat as nothing new (``repeat_safe``: the portal inbox, an SMS gateway deduplicating by
  the idempotency key) the message is simply sent again. E-mail cannot be taken back and
  SMTP servers keep a repeat, so the hand-over is recorded first: the state
  ``handing_over`` is committed once the server has accepted sender and recipient, right
  before the message itself goes (:class:`~enforcement.outbox.channels.SmtpEmail`). A
  message found in that state with a lapsed lease, or whose connection broke during the
  DATA exchange, becomes ``uncertain``: it is **not resent by itself** — a second copy of a
  legal notice is not harmless — and is shown by ``flask outbox deliver`` until a person
  settles it (``flask outbox settle ID --delivered`` or ``--resend``; a resent message
  carries the same Message-ID, so mail clients can tell it is the same message). The window
  is the DATA exchange alone: a deliverer that dies while connecting, logging in or giving
  the envelope leaves a message that is safely sent again.

Losing a legal notice is worse than repeating it, so no message is given up on silently:
after ``OUTBOX_MAX_ATTEMPTS`` it is marked failed with its last error, for a person to follow
up; an uncertain one waits for a person too.
"""
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from enforcement.db import utcnow
from enforcement.extensions import db
from enforcement.outbox.channels import (
    Channel,
    DeliveryError,
    DeliveryUncertain,
    channels_for,
)
from enforcement.outbox.models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)

#: seconds to wait after the n-th failed attempt (then the last figure again)
BACKOFF = (60, 300, 900, 3600, 3 * 3600)


#: why an uncertain message waits for a person (shown with it)
INTERRUPTED = "投递过程中断：对方服务器可能已收到此消息，系统不自动重发，请核实后处理"


class ClaimLost(Exception):
    """Another deliverer has taken the message over (this one's lease lapsed)."""


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    #: hand-overs found interrupted (or broken off) this run: perhaps delivered, not resent
    uncertain: int = 0
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


#: the states in which a deliverer still holds its claim (an uncertain message keeps the
#: token, so a deliverer that was only slow still records that it was sent)
HELD = (MessageStatus.sending, MessageStatus.handing_over, MessageStatus.uncertain)


def _finish(message_id: int, token: str, **values) -> bool:
    """Record the attempt's result, if the claim is still ours."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token,
               OutboxMessage.status.in_(HELD))
        .values(claim_token=None, **values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _mark_handing_over(message_id: int, token: str) -> None:
    """Commit that the message is about to be handed over; raise ClaimLost if it is no longer
    ours (then nothing is sent). The lease counts again from now."""
    marked = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token,
               OutboxMessage.status == MessageStatus.sending)
        .values(status=MessageStatus.handing_over, claimed_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    if not marked:
        raise ClaimLost(message_id)


def _hand_over(channel: Channel, what: tuple, mark) -> None:
    """Send through the channel, recording the hand-over first unless a repeat is harmless."""
    if getattr(channel, "repeat_safe", False):
        channel.send(*what)
    elif getattr(channel, "marks_handover", False):
        channel.send(*what, handing_over=mark)  # marks once the envelope is accepted
    else:
        mark()
        channel.send(*what)


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
        _hand_over(channel, what, lambda: _mark_handing_over(message.id, token))
    except ClaimLost:
        log.warning("outbox %s: claim lapsed before the hand-over; left to its new holder",
                    message.id)
        return
    except DeliveryUncertain as exc:
        _uncertain(message, token, f"{INTERRUPTED} ({str(exc)[:1000]})", report)
        return
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


def _uncertain(message, token, error, report):
    if _finish(message.id, token, status=MessageStatus.uncertain, last_error=error):
        report.uncertain += 1
        log.error("outbox %s: hand-over broken off, perhaps delivered; not resent: %s",
                  message.id, error)
    db.session.commit()


def deliver_pending(*, limit: int = 100, batch: int = 20,
                    channels: dict[str, Channel] | None = None) -> DeliveryReport:
    """Send what is due, up to ``limit`` messages; safe to run in several processes at once."""
    config = current_app.config
    channels = channels if channels is not None else channels_for(config)
    lease = timedelta(seconds=config["OUTBOX_LEASE_SECONDS"])
    max_attempts = config["OUTBOX_MAX_ATTEMPTS"]
    token, report, done = uuid.uuid4().hex, DeliveryReport(), 0
    report.uncertain += _flag_interrupted_hand_overs(lease)
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


def _flag_interrupted_hand_overs(lease: timedelta) -> int:
    """A hand-over whose deliverer died (its lease lapsed) may have arrived: uncertain, for
    a person — never resent by itself. The claim token stays, so a deliverer that was only
    slow still records the message as sent."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.handing_over,
               OutboxMessage.claimed_at < utcnow() - lease)
        .values(status=MessageStatus.uncertain, last_error=INTERRUPTED)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount:
        log.error("outbox: %s interrupted hand-overs marked uncertain", result.rowcount)
    return result.rowcount


def uncertain_messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == MessageStatus.uncertain).order_by(OutboxMessage.id)))


class NotUncertain(ValueError):
    """Only an uncertain message is settled by hand."""


def settle(message_id: int, *, delivered: bool) -> OutboxMessage:
    """A person's answer for an uncertain message (commits): it arrived — recorded as sent,
    with what sending does (the reporter counts as told) — or it did not — sent again, with
    the same Message-ID."""
    values = ({"status": MessageStatus.sent, "sent_at": utcnow()} if delivered else
              {"status": MessageStatus.pending, "next_attempt_at": None})
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.uncertain)
        .values(claim_token=None, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise NotUncertain(message_id)
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if delivered:
        from enforcement.notifications.services import on_delivered

        on_delivered(message)
    db.session.commit()
    return message
