"""Checks across an action's fields, beyond what each field checks alone.

Each function takes the case, its facts and the cleaned data and returns field -> message.
"""
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from enforcement.cases.action_forms import MAX_MONEY
from enforcement.clocks import holidays
from enforcement.clocks.calendar import CalendarUnknown, add_working_days, working_days_between
from enforcement.db import local_today
from enforcement.parties.identifiers import credit_code_error, id_number_error
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
    return _within_cap(case, data, "fine") | _heavier_reasoned(case, data)


def _heavier_reasoned(case, data):
    # two or more infringements within five years: heavier punishment is mandatory, and the
    # decision must say why its penalty is heavier (商标法 Art. 60 ¶2)
    flags = assessment.repeat_flags(case, local_today())
    if not flags.heavier or (data.get("heavier_reasoning") or "").strip():
        return {}
    numbers = "、".join(p.case.number for p in flags.heavier)
    return {"heavier_reasoning": _("当事人在%(years)s年内实施两次以上商标侵权行为（%(cases)s），"
                                   "应当从重处罚，请填写从重处罚理由（%(source)s）",
                                   years=flags.heavier_rule.value["years"], cases=numbers,
                                   source=flags.heavier_rule.source)}


def _decide_no_penalty(case, facts, data):
    if data["ground"] != "seller_exemption":
        return {}
    # the seller must name its supplier, whose bureau receives the lead (商标法 Art. 60 ¶2)
    required = {"supplier_name": _("以销售者免责不予处罚的，请填写商品提供者名称"),
                "supplier_address": _("请填写商品提供者地址"),
                "supplier_unit": _("请选择商品提供者所在地市场监管部门")}
    errors = {name: message for name, message in required.items() if data.get(name) is None}
    if data.get("supplier_unit") == OUTSIDE_CITY and not data.get("supplier_region"):
        errors["supplier_region"] = _("提供者在本市以外的，请填写其所在省、市、县（区）")
    code = data.get("supplier_credit_code")
    if code and (message := credit_code_error(code)):
        errors["supplier_credit_code"] = message
    return errors


#: the ``supplier_unit`` choice for a supplier outside the city
OUTSIDE_CITY = 0


def _record_statement(case, facts, data):
    # the authority must re-examine what the party said (APL Art. 45 ¶1)
    if data["kind"] == "statement" and not (data.get("re_examination") or "").strip():
        return {"re_examination": _("当事人提出陈述、申辩的，应当填写复核意见"
                                    "（《行政处罚法》第四十五条）")}
    return {}


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
    if data.get("surcharge_paid"):
        owed = assessment.case_surcharge(case, date.fromisoformat(data["paid_on"]))
        if Decimal(data["surcharge_paid"]) > owed.amount:
            return {"surcharge_paid": _("截至缴款日应加处罚款 %(owed)s 元（逾期 %(days)d 日），"
                                        "缴纳金额不能超过该数额",
                                        owed=owed.amount, days=owed.days)}
    return {}


def _request_hearing(case, facts, data):
    # the notice must reach the party at least 7 working days before the hearing (APL Art. 64)
    try:
        lead = working_days_between(local_today(), date.fromisoformat(data["hearing_on"]),
                                    holidays.current())
    except CalendarUnknown as exc:
        return {"hearing_on": _("%(year)d 年的节假日安排尚未录入，无法计算工作日", year=exc.year)}
    if lead < 7:
        # the notice cannot be served before today; it must reach the party 7 working days
        # before the hearing, which is checked again against its actual service
        return {"hearing_on": _("听证日期须在听证通知书送达七个工作日之后；今天送达的，"
                                "最早可定于 %(day)s", day=add_working_days(
                                    local_today(), 7, holidays.current()))}
    return {}


def _schedule_hearing(case, facts, data):
    return _request_hearing(case, facts, data)


def _record_service(case, facts, data):
    from enforcement.db import local_date
    from enforcement.documents.models import Document
    from enforcement.extensions import db

    document = db.session.get(Document, data["document"])
    if date.fromisoformat(data["served_on"]) < local_date(document.issued_at):
        return {"served_on": _("送达日期不能早于文书作出日期")}
    return {}


def _compute_business_volume(case, facts, data):
    # Regulations Art. 78: a marked price values only unsold stock
    for number, line in enumerate(data["lines"], start=1):
        if line["price_basis"] not in assessment.PRICE_BASES_FOR[line["status"]]:
            return {"lines": _("第 %(n)d 行：已销售的商品按实际销售价格计算，无法查清的按已查清的"
                               "实际销售平均价格或被侵权产品的市场中间价格计算，不能按标价计算",
                               n=number)}
    # each line is within range, but their products and sum must fit the case's amount too
    if assessment.worksheet(data["lines"]).amount > MAX_MONEY:
        return {"lines": _("计算得出的违法经营额超过 %(max)s 元，请核对数量和单价",
                           max=MAX_MONEY)}
    return {}


def _extend_measure(case, facts, data):
    from enforcement.cases.facts import measure_for

    measure = measure_for(case, data["measure_document"])
    if measure is not None and measure.clock.extensions:
        return {"measure_document": _("该查封、扣押已经延长过一次，不能再次延长"
                                      "（《行政强制法》第二十五条）")}
    return {}


def _record_inquiry(case, facts, data):
    if data.get("person_id") and (message := id_number_error(data["person_id"])):
        return {"person_id": message}
    return {}


CHECKS = {
    "record_inquiry": _record_inquiry,
    "decide_no_penalty": _decide_no_penalty,
    "record_statement": _record_statement,
    "reschedule_hearing": _schedule_hearing,
    "compute_business_volume": _compute_business_volume,
    "extend_measure": _extend_measure,
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
