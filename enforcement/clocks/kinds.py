"""The statutory clocks of DESIGN §3: length, unit and legal basis of each.

A length marked S or R in DESIGN §3 is only the default here: the rule data may hold the figure
in force (rule code ``clock.<kind>``, see ``enforcement.rules.catalogue``); a clock keeps the
length it started with.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

#: someone must act by the due date; once it passes the clock is overdue
DEADLINE = "deadline"
#: a period that simply runs out (a party's window, a publication period): it lapses
WINDOW = "window"


@dataclass(frozen=True)
class ClockKind:
    code: str
    label: str
    length: int
    #: working_days | days | months | hours (see ``enforcement.clocks.calendar``)
    unit: str
    basis: str
    #: length added by one extension, in the same unit
    extension: int = 0
    role: str = DEADLINE
    #: why the period is counted in this unit, where the unit is a choice of the law
    unit_basis: str = ""
    #: counted back from a day (the hearing): due is the last day leaving ``length`` units
    backwards: bool = False


_APL_85 = _l("《行政处罚法》第八十五条：本法中“五日”“七日”的规定是指工作日")
_COERCION_69 = _l("《行政强制法》第六十九条：十日以内期限的规定是指工作日")
_DECREE_310_DAYS = _l("国务院令第310号未规定按工作日计算，不适用《行政处罚法》第八十五条和"
                      "《行政强制法》第六十九条，按自然日计算，最后一日为休息日的顺延")
_OWN_WORDS = _l("规定本身明定为“工作日”")

CLOCK_KINDS = {k.code: k for k in (
    ClockKind("verification", _l("核查"), 15, "working_days",
              _l("《市场监督管理行政处罚程序规定》第十八条"), extension=15,
              unit_basis=_OWN_WORDS),
    ClockKind("inform_reporter", _l("告知举报人"), 5, "working_days",
              _l("《市场监督管理投诉举报处理暂行办法》第三十一条"), unit_basis=_OWN_WORDS),
    ClockKind("decision", _l("作出处理决定"), 90, "days",
              _l("《市场监督管理行政处罚程序规定》第六十四条"), extension=30),
    ClockKind("legal_review", _l("法制审核"), 10, "working_days", _l("本局法制审核规定"),
              unit_basis=_OWN_WORDS),
    ClockKind("statement", _l("陈述申辩"), 5, "working_days",
              _l("《行政处罚法》第四十五条、第八十五条"), role=WINDOW, unit_basis=_APL_85),
    ClockKind("hearing_notice", _l("听证通知"), 7, "working_days",
              _l("《行政处罚法》第六十四条、第八十五条"), unit_basis=_APL_85, backwards=True),
    ClockKind("decision_service", _l("送达处罚决定"), 7, "working_days",
              _l("《行政处罚法》第六十一条、第八十五条"), unit_basis=_APL_85),
    ClockKind("publication", _l("公示"), 20, "working_days",
              _l("国家市场监督管理总局令第45号第九条"), unit_basis=_OWN_WORDS),
    ClockKind("payment", _l("缴纳罚没款"), 15, "days", _l("《行政处罚法》第六十七条")),
    ClockKind("review_period", _l("申请行政复议期限"), 60, "days",
              _l("《行政复议法》第二十条"), role=WINDOW),
    ClockKind("litigation_period", _l("提起行政诉讼期限"), 6, "months",
              _l("《行政诉讼法》第四十六条"), role=WINDOW),
    ClockKind("seizure", _l("查封扣押"), 30, "days", _l("《行政强制法》第二十五条"),
              extension=30),
    ClockKind("transfer_decision", _l("移送审批"), 3, "days",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第五条"), unit_basis=_DECREE_310_DAYS),
    ClockKind("transfer_delivery", _l("移送送达"), 24, "hours",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第五条")),
    ClockKind("police_decision", _l("公安机关审查"), 3, "days",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第八条"), unit_basis=_DECREE_310_DAYS),
    ClockKind("reconsideration", _l("提请复议"), 3, "days",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第九条"), role=WINDOW,
              unit_basis=_DECREE_310_DAYS),
    # the bureau makes good what the police found missing; the police may not refuse the
    # transfer for it
    ClockKind("supplement", _l("补充移送材料"), 3, "days",
              _l("《公安机关受理行政执法机关移送涉嫌犯罪案件规定》第七条"),
              unit_basis=_DECREE_310_DAYS),
    ClockKind("goods_handover", _l("移交涉案物品"), 3, "days",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第十二条"), unit_basis=_DECREE_310_DAYS),
    ClockKind("court_application", _l("申请强制执行"), 3, "months",
              _l("《行政强制法》第五十三条")),
    ClockKind("court_acceptance", _l("法院受理强制执行申请"), 5, "working_days",
              _l("《行政强制法》第五十六条、第六十九条"), unit_basis=_COERCION_69),
    ClockKind("court_ruling", _l("法院作出执行裁定"), 7, "working_days",
              _l("《行政强制法》第五十七条、第六十九条"), unit_basis=_COERCION_69),
    # the court heard the parties before ruling (行政强制法 Art. 58): thirty days from
    # acceptance, not seven working days
    ClockKind("court_ruling_hearing", _l("法院听取意见后作出执行裁定"), 30, "days",
              _l("《行政强制法》第五十八条")),
    ClockKind("closing", _l("结案"), 15, "working_days",
              _l("《市场监督管理行政处罚程序规定》第七十七条"), unit_basis=_OWN_WORDS),
    # 3 years, or 3 months for 通报批评 or a lower-amount fine only (rule data decides)
    ClockKind("publication_period", _l("公示期"), 36, "months",
              _l("国家市场监督管理总局令第45号第十三条"), role=WINDOW),
    # a published decision revoked or changed comes down within 3 working days
    ClockKind("publication_withdrawal", _l("撤回公示信息"), 3, "working_days",
              _l("国家市场监督管理总局令第45号第十四条"), unit_basis=_OWN_WORDS),
)}

UNIT_LABELS = {
    "working_days": _l("个工作日"),
    "days": _l("日"),
    "months": _l("个月"),
    "hours": _l("小时"),
}
