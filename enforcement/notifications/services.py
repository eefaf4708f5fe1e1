"""What each action tells whom, queued in the action's own transaction.

Messages are in Chinese whatever the officer's UI language, name the report by its tracking
number, and never carry the other party's personal data or the bureau's internal notes: only
the decision itself, dates, the handling bureau and what the recipient is asked to do.
"""
import logging
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update

from enforcement.clocks import services as clocks
from enforcement.db import local_today, utcnow
from enforcement.documents.bidi import isolate
from enforcement.extensions import db
from enforcement.notifications import recipients
from enforcement.notifications.recipients import Recipient
from enforcement.outbox.models import OutboxMessage
from workflows.spec import N_

log = logging.getLogger(__name__)

#: topics of the messages queued here
FILING_DECISION = "filing_decision"
OUTCOME = "outcome"
IDENTIFICATION = "identification"
MEDIATION_REQUEST = "mediation_request"
MEDIATION = "mediation"
REFERRAL = "referral"


def queue(case, to: list[Recipient], subject: str, body: str, topic: str) -> list[OutboxMessage]:
    """Outbox rows for each recipient, in the caller's transaction (flushed with it)."""
    rows = [OutboxMessage(case_id=case.id, channel=r.channel, recipient=r.address,
                          subject=subject, body=body, topic=topic) for r in to]
    db.session.add_all(rows)
    return rows


def _day(value) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return _("%(y)d年%(m)d月%(d)d日", y=day.year, m=day.month, d=day.day)


def _tell_reporters(case, text: str, topic: str) -> list[OutboxMessage]:
    rows = []
    for tracking_no, to in recipients.reporters(case):
        with force_locale("zh"):
            subject = _("举报处理情况告知")
            body = _("您提交的举报（登记编号 %(no)s）：%(text)s承办单位：%(unit)s。",
                     no=tracking_no, text=text, unit=case.unit.name)
        rows += queue(case, to, subject, body, topic)
    return rows


def _filing_decision(ctx, text: str) -> None:
    rows = _tell_reporters(ctx.case, text, FILING_DECISION)
    # a notice in the portal counts as telling (投诉举报办法 Art. 31); a text message or an
    # e-mail counts once it has been handed over (see :func:`on_delivered`)
    if any(row.channel == "portal" for row in rows):
        clocks.stop(ctx.case, "inform_reporter")


def approve_filing(ctx):
    with force_locale("zh"):
        text = _("经核查，本局已于%(day)s决定立案调查。", day=_day(local_today()))
    _filing_decision(ctx, text)


def reject_filing(ctx):
    with force_locale("zh"):
        text = _("经核查，本局决定不予立案。")
    _filing_decision(ctx, text)


def transfer_jurisdiction(ctx):
    from enforcement.orgs.models import OrgUnit

    target = db.session.get(OrgUnit, ctx.data["target_unit"])
    with force_locale("zh"):
        text = _("该举报不属本局管辖，已移送%(unit)s处理。", unit=target.name)
    _tell_reporters(ctx.case, text, OUTCOME)


def decide_penalty(ctx):
    with force_locale("zh"):
        text = _("本局已依法作出行政处罚决定，处罚信息将依法公示。")
    _tell_reporters(ctx.case, text, OUTCOME)


def decide_no_penalty(ctx):
    with force_locale("zh"):
        text = _("经调查，本局依法决定不予行政处罚。")
    _tell_reporters(ctx.case, text, OUTCOME)


def close(ctx):
    with force_locale("zh"):
        text = _("案件已办结。")
    _tell_reporters(ctx.case, text, OUTCOME)


def request_identification(ctx):
    case = ctx.case
    with force_locale("zh"):
        subject = _("协助辨认/鉴别通知")
        body = _("%(unit)s请求您协助辨认/鉴别与举报（登记编号 %(no)s）有关的涉案商品，"
                 "请于%(day)s前登录权利人服务页面“待办”答复，或与承办单位联系。",
                 unit=case.unit.name, no=case.report_no, day=_day(ctx.data["reply_by"]))
    queue(case, recipients.holders(case), subject, body, IDENTIFICATION)


def request_mediation(ctx):
    case = ctx.case
    with force_locale("zh"):
        subject = _("赔偿数额调解申请")
        body = _("案件 %(no)s 的权利人申请就侵犯商标专用权的赔偿数额进行调解"
                 "（《商标法》第六十条第三款），请在案件页面处理。", no=case.number)
    queue(case, recipients.inspectors(case), subject, body, MEDIATION_REQUEST)


MEDIATION_OUTCOMES = {
    "agreed": N_("经调解，双方当事人达成协议，赔偿数额为 %(amount)s 元。"),
    "failed": N_("经调解，双方当事人未达成协议。"),
    "declined": N_("本局决定不予调解。"),
}


def record_mediation(ctx):
    case, data = ctx.case, ctx.data
    with force_locale("zh"):
        subject = _("赔偿数额调解结果告知")
        text = _(MEDIATION_OUTCOMES[data["outcome"]], amount=data.get("agreed_amount") or "")
        if data["outcome"] != "agreed":
            text += _("您可以依照《中华人民共和国民事诉讼法》向人民法院起诉。")
        body = _("关于举报（登记编号 %(no)s）的赔偿调解申请：%(text)s说明：%(note)s",
                 no=case.report_no, text=text, note=isolate(data["note"]))
    queue(case, recipients.holders(case), subject, body, MEDIATION)


def _tell_bureau(ctx, subject: str, body: str) -> None:
    """The receiver's answer goes to the case's inspectors (the handling team)."""
    queue(ctx.case, recipients.inspectors(ctx.case), subject, body, REFERRAL)


def request_supplement(ctx):
    with force_locale("zh"):
        _tell_bureau(ctx, _("公安机关要求补充移送材料"),
                     _("案件 %(no)s：公安机关要求补充以下材料，请于三日内补充移送："
                       "%(materials)s", no=ctx.case.number,
                       materials=isolate(ctx.data["materials"])))


def accept_transfer(ctx):
    with force_locale("zh"):
        _tell_bureau(ctx, _("公安机关决定立案"),
                     _("案件 %(no)s：公安机关已决定立案（%(police_no)s），请于三日内移交涉案物品。",
                       no=ctx.case.number, police_no=isolate(ctx.data["police_case_no"])))


def decline_transfer(ctx):
    with force_locale("zh"):
        _tell_bureau(ctx, _("公安机关决定不予立案"),
                     _("案件 %(no)s：公安机关决定不予立案，理由：%(reason)s。可以自收到之日起三日内"
                       "提请复议，或者建议人民检察院立案监督；不提请的，应当依法作出行政处理。",
                       no=ctx.case.number, reason=isolate(ctx.data["reason"])))


def rule_enforcement(ctx):
    with force_locale("zh"):
        ruling = _("准予执行") if ctx.data["ruling"] == "enforce" else _("不予执行")
        _tell_bureau(ctx, _("人民法院作出执行裁定"),
                     _("案件 %(no)s：人民法院裁定%(ruling)s。", no=ctx.case.number,
                       ruling=ruling))


HANDLERS = {fn.__name__: fn for fn in (
    approve_filing, reject_filing, transfer_jurisdiction, decide_penalty, decide_no_penalty,
    close, request_identification, request_mediation, record_mediation, request_supplement,
    accept_transfer, decline_transfer, rule_enforcement,
)}


def on_action(ctx) -> None:
    """Called by ``cases.services`` once an action's effects are in, before it commits."""
    handler = HANDLERS.get(ctx.event.action)
    if handler is not None:
        handler(ctx)


def on_delivered(message: OutboxMessage) -> None:
    """A text message or e-mail handed over: the reporter has been told of the filing
    decision; in the deliverer's transaction."""
    if message.topic != FILING_DECISION or message.case_id is None:
        return
    from enforcement.cases.models import Case

    case = db.session.get(Case, message.case_id)
    if case is not None:
        reason = N_("已通过短信告知举报人") if message.channel == "sms" \
            else N_("已通过电子邮件告知举报人")
        clocks.stop(case, "inform_reporter", cause=clocks.Cause(
            reason=reason, legal_basis=N_("《市场监督管理投诉举报处理暂行办法》第三十一条")))


def mark_read(user) -> int:
    """Mark the user's portal messages read; commits."""
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.channel == "portal",
                                    OutboxMessage.recipient == f"user:{user.id}",
                                    OutboxMessage.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
