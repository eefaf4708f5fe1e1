"""Delivering the outbox: real SMTP on the loopback, the SMS log adapter, retries, and
exactly-once between concurrent deliverers; after a crash in the hand-over, not resent by
itself."""
import logging
import threading
from datetime import timedelta

from sqlalchemy import select, update

from enforcement.clocks.models import ClockStatus
from enforcement.db import local_today, utcnow
from enforcement.extensions import db
from enforcement.outbox import delivery
from enforcement.outbox.channels import channels_for
from enforcement.outbox.models import MessageStatus, OutboxMessage
from tests.clocks.helpers import clock, history
from tests.notifications.conftest import free_port
from tests.notifications.helpers import act, register, team


def filed_for(contact: str) -> int:
    """A case whose named reporter left ``contact``, just filed (its message queued)."""
    case_id = register(local_today())
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == MessageStatus.pending)
                       .values(status=MessageStatus.sent))  # the demo's own messages
    from enforcement.cases.models import Case

    db.session.get(Case, case_id).reporter_contact = contact
    db.session.commit()
    team(case_id, None)
    act(case_id, "propose_filing", "linhe_inspector1", cause="涉嫌侵权", facts="核查。",
        proposal="file", reason="符合立案条件。")
    act(case_id, "approve_filing", "linhe_head", opinion="同意立案。")
    return case_id


def queue_emails(n: int) -> list[int]:
    rows = [OutboxMessage(channel="email", recipient=f"r{i}@example.com", subject=f"测试 {i}",
                          body="正文", topic="test") for i in range(n)]
    db.session.add_all(rows)
    db.session.commit()
    return [r.id for r in rows]


def row(message_id) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_e_mail_goes_through_a_real_smtp_server_and_tells_the_reporter(app, smtp_server):
    case_id = filed_for("zhangsan@example.com")
    [message_id] = db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.case_id == case_id)).all()

    report = delivery.deliver_pending()

    assert report.sent >= 1 and report.failed == 0
    [mail] = [m for m in smtp_server.messages if m["To"] == "zhangsan@example.com"]
    assert mail["Subject"] == "举报处理情况告知"
    assert mail["Message-ID"] == f"<outbox-{message_id}@amr.bayannur.example>"
    assert "决定立案调查" in mail.get_content()
    sent = row(message_id)
    assert (sent.status, sent.attempts, sent.sent_at is not None, sent.claim_token) == (
        MessageStatus.sent, 1, True, None)
    # handed over: the reporter has now been told (投诉举报办法 Art. 31)
    assert clock(case_id, "inform_reporter").status is ClockStatus.met
    assert history(case_id, "inform_reporter")[-1] == "stop"
    # nothing is sent twice
    assert delivery.deliver_pending().sent == 0
    assert len(smtp_server.messages) == report.sent


def test_e_mail_over_starttls_with_a_login(app, tls_smtp_server):
    [message_id] = queue_emails(1)
    assert delivery.deliver_pending().sent >= 1
    assert f"<outbox-{message_id}@amr.bayannur.example>" in tls_smtp_server.ids()
    assert tls_smtp_server.logins.attempts[-1][1] == b"notifier"
    # a server whose certificate is not trusted gets nothing, not even the password
    app.config["SMTP_CA_FILE"] = ""
    [untrusted] = queue_emails(1)
    delivery.deliver_pending()
    assert "CERTIFICATE_VERIFY_FAILED" in row(untrusted).last_error
    assert len(tls_smtp_server.logins.attempts) == 1


def test_sms_default_adapter_writes_to_the_log(app, caplog):
    case_id = filed_for("13912345678")
    with caplog.at_level(logging.INFO, logger="enforcement.outbox.channels"):
        delivery.deliver_pending()
    lines = [r.getMessage() for r in caplog.records if r.name == "enforcement.outbox.channels"]
    [line] = [text for text in lines if "139****5678" in text]
    assert "13912345678" not in line and "决定立案调查" in line
    [message] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.case_id == case_id)).all()
    assert message.status is MessageStatus.sent
    assert clock(case_id, "inform_reporter").status is ClockStatus.met


def test_a_failing_channel_is_retried_with_backoff_then_marked_failed(app):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_STARTTLS=False,
                      SMTP_TIMEOUT=2, OUTBOX_MAX_ATTEMPTS=2)  # nobody listens there
    [message_id] = queue_emails(1)
    before = utcnow()

    report = delivery.deliver_pending()
    first = row(message_id)
    assert (report.retried, first.status, first.attempts) == (1, MessageStatus.pending, 1)
    assert "ConnectionRefusedError" in first.last_error
    assert first.next_attempt_at >= before + timedelta(seconds=delivery.BACKOFF[0])
    assert delivery.deliver_pending().retried == 0  # not due yet

    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    report = delivery.deliver_pending()
    last = row(message_id)
    assert (report.failed, last.status, last.attempts, last.sent_at) == (
        1, MessageStatus.failed, 2, None)
    assert delivery.deliver_pending().failed == 0  # failed is final


def test_two_concurrent_deliverers_send_every_message_exactly_once(app, smtp_server):
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == MessageStatus.pending)
                       .values(status=MessageStatus.sent))
    db.session.commit()
    ids = queue_emails(24)
    smtp_server.delay = 0.02  # a slow relay keeps both deliverers busy at the same time
    db.session.rollback()  # the test's own session holds no lock while they run
    start, reports, errors = threading.Barrier(2), [], []

    def deliverer():
        try:
            with app.app_context():
                start.wait()
                reports.append(delivery.deliver_pending(batch=3))
                db.session.remove()
        except Exception as exc:  # reported below: a thread's exception would be lost
            errors.append(exc)

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    sent_ids = smtp_server.ids()
    assert sorted(sent_ids) == sorted(f"<outbox-{i}@amr.bayannur.example>" for i in ids)
    assert sum(r.sent for r in reports) == 24
    assert all(r.sent > 0 for r in reports), "both deliverers should have taken a share"
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
    assert {(r.status, r.attempts) for r in rows} == {(MessageStatus.sent, 1)}


def test_a_crash_between_send_and_mark_is_not_resent_by_itself(app, smtp_server):
    """A deliverer that died after the server took the message and before it recorded that
    leaves the message uncertain: once its claim lapses it is not sent again by itself (an
    SMTP server keeps a repeat); a person settles it, and a resend carries the same
    Message-ID. The real deliverer killed at each point: tests/ops/test_faults.py."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == MessageStatus.pending)
                       .values(status=MessageStatus.sent))
    db.session.commit()
    [message_id] = queue_emails(1)
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])

    # a deliverer claims, records the hand-over and sends, then dies before marking it sent
    assert delivery.claim("crashed", 10, utcnow(), lease) == [message_id]
    message = row(message_id)
    channels_for(app.config)["email"].send(
        message.recipient, message.subject, message.body, message.idempotency_key,
        handing_over=lambda: delivery._mark_handing_over(message_id, "crashed"))
    db.session.rollback()

    assert delivery.deliver_pending().sent == 0  # its claim still holds: not sent twice
    assert row(message_id).status is MessageStatus.handing_over

    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(claimed_at=utcnow() - lease - timedelta(seconds=1)))
    db.session.commit()
    report = delivery.deliver_pending()
    assert (report.sent, report.uncertain) == (0, 1)
    assert row(message_id).status is MessageStatus.uncertain
    assert smtp_server.ids() == [f"<outbox-{message_id}@amr.bayannur.example>"]

    # a person finds it did not arrive and has it sent again: the same Message-ID
    delivery.settle(message_id, delivered=False)
    assert delivery.deliver_pending().sent == 1
    final = row(message_id)
    assert (final.status, final.attempts) == (MessageStatus.sent, 2)
    assert smtp_server.ids() == [f"<outbox-{message_id}@amr.bayannur.example>"] * 2


def test_outbox_deliver_command(app, runner, smtp_server):
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == MessageStatus.pending)
                       .values(status=MessageStatus.sent))
    db.session.commit()
    queue_emails(3)
    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "sent: 3, to retry: 0, failed: 0" in result.output
    assert len(smtp_server.messages) == 3
