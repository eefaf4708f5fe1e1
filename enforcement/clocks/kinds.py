"""The statutory clocks of DESIGN §3: length, unit and legal basis of each."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class ClockKind:
    code: str
    label: str
    length: int
    #: working_days | days | months | hours
    unit: str
    basis: str
    #: length added by one extension, in the same unit
    extension: int = 0


CLOCK_KINDS = {k.code: k for k in (
    ClockKind("verification", _l("核查"), 15, "working_days",
              _l("《市场监督管理行政处罚程序规定》第十八条"), extension=15),
    ClockKind("inform_reporter", _l("告知举报人"), 5, "working_days",
              _l("《市场监督管理投诉举报处理暂行办法》第三十一条")),
    ClockKind("decision", _l("作出处理决定"), 90, "days",
              _l("《市场监督管理行政处罚程序规定》第六十四条"), extension=30),
    ClockKind("legal_review", _l("法制审核"), 10, "working_days", _l("本局法制审核规定")),
    ClockKind("statement", _l("陈述申辩"), 5, "working_days",
              _l("《行政处罚法》第四十五条、第八十五条")),
    ClockKind("hearing_notice", _l("听证通知"), 7, "working_days",
              _l("《行政处罚法》第六十四条、第八十五条")),
    ClockKind("decision_service", _l("送达处罚决定"), 7, "working_days",
              _l("《行政处罚法》第六十一条、第八十五条")),
    ClockKind("publication", _l("公示"), 20, "working_days",
              _l("国家市场监督管理总局令第45号第九条")),
    ClockKind("payment", _l("缴纳罚没款"), 15, "days", _l("《行政处罚法》第六十七条")),
    ClockKind("review_period", _l("申请行政复议期限"), 60, "days",
              _l("《行政复议法》第二十条")),
    ClockKind("litigation_period", _l("提起行政诉讼期限"), 6, "months",
              _l("《行政诉讼法》第四十六条")),
    ClockKind("seizure", _l("查封扣押"), 30, "days", _l("《行政强制法》第二十五条"),
              extension=30),
    ClockKind("transfer_decision", _l("移送审批"), 3, "days",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第五条")),
    ClockKind("transfer_delivery", _l("移送送达"), 24, "hours",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第五条")),
    ClockKind("police_decision", _l("公安机关审查"), 3, "days",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第八条")),
    ClockKind("reconsideration", _l("提请复议"), 3, "days",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第九条")),
    ClockKind("goods_handover", _l("移交涉案物品"), 3, "days",
              _l("《行政执法机关移送涉嫌犯罪案件的规定》第十二条")),
    ClockKind("court_application", _l("申请强制执行"), 3, "months",
              _l("《行政强制法》第五十三条")),
    ClockKind("closing", _l("结案"), 15, "working_days",
              _l("《市场监督管理行政处罚程序规定》第七十七条")),
    ClockKind("publication_period", _l("公示期"), 3, "years",
              _l("国家市场监督管理总局令第45号第十三条")),
)}
