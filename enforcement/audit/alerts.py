"""The audit chain checked on every sweep; a break is told to the auditors and administrators.

A break means a row of the audit log was edited, removed or forged outside the application
(the database refuses UPDATE, DELETE and TRUNCATE on it; only someone with the database's
superuser can get round that). The alert goes once per break: a later sweep that finds the
same first broken row stays quiet, a new break alerts again.
"""
import logging

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from enforcement.audit import services as audit
from enforcement.audit.models import AuditEntry
from enforcement.auth.models import Permission, Role, User
from enforcement.extensions import db
from enforcement.notifications import recipients
from enforcement.outbox.models import OutboxMessage

log = logging.getLogger(__name__)

TOPIC = "audit_chain"
WATCHERS = ("audit.read", "admin.users")


def check_chain() -> audit.ChainReport:
    """Verify the whole chain; on a new break, audit it and queue the alerts (commits)."""
    report = audit.verify_chain()
    db.session.rollback()
    if report.ok:
        return report
    log.error("audit chain broken at row %s: %s", report.first_broken_seq, report.problem)
    if _already_alerted(report.first_broken_seq):
        return report
    with force_locale("zh"):
        subject = _("【安全告警】审计日志校验未通过")
        body = _("审计日志哈希链在第 %(seq)s 条记录处校验未通过（%(problem)s）。这表明有记录在系统"
                 "之外被修改、删除或伪造。请安全审计员立即核查，并保留数据库现状。",
                 seq=report.first_broken_seq, problem=report.problem)
    db.session.add_all(OutboxMessage(case_id=None, channel=r.channel, recipient=r.address,
                                     subject=subject, body=body, topic=TOPIC)
                       for r in _watchers())
    audit.record("audit.chain_broken", first_broken_seq=report.first_broken_seq,
                 problem=report.problem, checked=report.checked)
    db.session.commit()
    return report


def _already_alerted(seq: int | None) -> bool:
    last = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.chain_broken")
                             .order_by(AuditEntry.seq.desc()).limit(1))
    return last is not None and last.detail.get("first_broken_seq") == seq


def _watchers() -> list[recipients.Recipient]:
    users = db.session.scalars(
        select(User).where(User.active.is_(True),
                           User.roles.any(Role.permissions.any(Permission.code.in_(WATCHERS))))
        .order_by(User.id))
    found = []
    for user in users:
        found.append(recipients.portal(user.id))
        for contact in (user.email, user.phone):
            if (recipient := recipients.by_contact(contact)) is not None:
                found.append(recipient)
    return list(dict.fromkeys(found))
