"""Checks across an action's fields, beyond what each field checks alone.

Each function takes the case, its facts and the cleaned data and returns field -> message.
"""
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from enforcement.clocks import holidays
from enforcement.clocks.calendar import CalendarUnknown, working_days_between
from enforcement.db import local_today
from enforcement.rules import assessment

#: fields holding the day something happened: never in the future
PAST_DATES = ("held_on", "served_on", "paid_on", "handed_on")


def _not_in_future(case, facts, data):
    today = local_today()
    return {name: _("日期不能晚于今天") for name in PAST_DATES
            if data.get(name) and date.fromisoformat(data[name]) > today}


def _decide_penalty(case, facts, data):
    if not any(data.get(k) for k in ("warning", "criticism", "fine", "confiscation",
                                     "confiscated_goods")):
        return {"fine": _("请至少选择一种处罚：警告、通报批评、罚款、没收违法所得或没收侵权商品")}
    if data.get("fine") is not None and Decimal(data["fine"]) <= 0:
        return {"fine": _("罚款金额必须大于零")}
    return _within_cap(case, data, "fine")


def _within_cap(case, data, name):
    """A fine above the cap of 商标法 Art. 60 ¶2 (rule in force) is refused with the cap."""
    if data.get(name) is None:
        return {}
    cap = assessment.fine_cap(case, local_today())
    if cap.cap is None or Decimal(data[name]) <= cap.cap:
        return {}
    return {name: _("罚款 %(fine)s 元超过本案法定上限 %(cap)s 元（%(source)s）",
                    fine=data[name], cap=cap.cap, source=cap.rule.source)}


def _finish_investigation(case, facts, data):
    return _within_cap(case, data, "proposed_fine")


def _pass_review(case, facts, data):
    # a 较大数额罚款 carries the right to a hearing, which the 告知书 must state (APL Art. 63)
    check = assessment.hearing_check(case, assessment.proposed_fine(case), local_today())
    if check.required and not data.get("hearing_rights"):
        return {"hearing_rights": _("拟罚款 %(fine)s 元达到听证标准（%(threshold)s 元，"
                                    "%(source)s），应当告知当事人有要求听证的权利",
                                    fine=check.fine, threshold=check.threshold,
                                    source=check.rule.source)}
    return {}


def _extend_decision(case, facts, data):
    # the first extension is 30 days; a further one is as long as the collective discussion
    # decided (Order 42 Art. 64)
    days = data.get("extension_days")
    if facts.count("extend_decision") == 0:
        if days not in (None, 30):
            return {"extension_days": _("第一次延长办案期限为三十日"
                                        "（《市场监督管理行政处罚程序规定》第六十四条）")}
        return {}
    if not days:
        return {"extension_days": _("再次延长须填写集体讨论决定的延长天数")}
    return {}


def _record_payment(case, facts, data):
    if Decimal(data["amount"]) <= 0:
        return {"amount": _("缴款金额必须大于零")}
    if Decimal(data["amount"]) > facts.amount_due:
        return {"amount": _("缴款金额超过未缴金额 %(due)s 元", due=facts.amount_due)}
    return {}


def _request_hearing(case, facts, data):
    # the notice must reach the party at least 7 working days before the hearing (APL Art. 64)
    try:
        lead = working_days_between(local_today(), date.fromisoformat(data["hearing_on"]),
                                    holidays.current())
    except CalendarUnknown as exc:
        return {"hearing_on": _("%(year)d 年的节假日安排尚未录入，无法计算工作日", year=exc.year)}
    if lead < 7:
        return {"hearing_on": _("听证日期须在通知送达七个工作日之后")}
    return {}


def _record_service(case, facts, data):
    from enforcement.db import local_date
    from enforcement.documents.models import Document
    from enforcement.extensions import db

    document = db.session.get(Document, data["document"])
    if date.fromisoformat(data["served_on"]) < local_date(document.issued_at):
        return {"served_on": _("送达日期不能早于文书作出日期")}
    return {}


CHECKS = {
    "record_service": _record_service,
    "finish_investigation": _finish_investigation,
    "pass_review": _pass_review,
    "extend_decision": _extend_decision,
    "decide_penalty": _decide_penalty,
    "record_payment": _record_payment,
    "request_hearing": _request_hearing,
}


def cross_field_errors(action, case, facts, data) -> dict[str, str]:
    errors = _not_in_future(case, facts, data)
    check = CHECKS.get(action.name)
    if check is not None:
        errors.update(check(case, facts, data))
    return errors
