"""Checks across an action's fields, beyond what each field checks alone.

Each function takes the case, its facts and the cleaned data and returns field -> message.
"""
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from enforcement.clocks.calendar import CalendarUnknown, working_days_between
from enforcement.db import local_today

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
        lead = working_days_between(local_today(), date.fromisoformat(data["hearing_on"]))
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
