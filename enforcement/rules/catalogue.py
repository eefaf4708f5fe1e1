"""The kinds of rule data (DESIGN §4): their figures, how the system uses them, and the demo
defaults with their sources and confidence (V verified, S secondary source, R recalled).

Every figure a case relies on lives here as data with an effective date; code names the rule,
never the number. Document-number formats are the documents area's, not listed here.
"""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

CONFIDENCE = {"V": _l("V 已核对原文"), "S": _l("S 二手来源"), "R": _l("R 凭记忆，未核对")}


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    #: money (yuan) | count | years | factor (0–1) | unit (a clock unit) | text
    kind: str
    required: bool = True


@dataclass(frozen=True)
class RuleKind:
    code: str
    label: str
    figures: tuple[Figure, ...]
    #: how the system applies it
    use: str


_PERSON = Figure("person", _l("自然人（元）"), "money")
_ORGANISATION = Figure("organisation", _l("法人或其他组织（元）"), "money")
_PRIOR_FACTOR = Figure("prior_penalty_factor",
                       _l("二年内受过行政处罚的，门槛按此比例计算（如 0.5）"), "factor",
                       required=False)

RULE_KINDS = {k.code: k for k in (
    RuleKind("fine_cap", _l("商标侵权罚款上限"), (
        Figure("volume_threshold", _l("违法经营额起点（元）"), "money"),
        Figure("multiple", _l("违法经营额达到起点的，罚款不超过其倍数"), "count"),
        Figure("flat_cap", _l("没有或不足起点的，罚款不超过（元）"), "money"),
    ), _l("调查终结和作出处罚决定时显示本案罚款上限；超过上限的罚款不予提交")),
    RuleKind("business_volume_method", _l("违法经营额计算方法"), (
        Figure("methods", _l("计算方法（按顺序适用）"), "text"),
    ), _l("计算违法经营额时显示；按涉案商品的数量和价格给出参考值")),
    RuleKind("criminal.counterfeit_mark", _l("假冒注册商标罪立案追诉标准"), (
        Figure("business_amount", _l("非法经营数额（元）"), "money"),
        Figure("illegal_gains", _l("违法所得数额（元）"), "money"),
        Figure("multi_business_amount", _l("两种以上商标：非法经营数额（元）"), "money"),
        Figure("multi_illegal_gains", _l("两种以上商标：违法所得数额（元）"), "money"),
        _PRIOR_FACTOR,
    ), _l("调查终结和作出处罚决定时，达到标准的提示涉嫌犯罪、应当移送")),
    RuleKind("criminal.sell_counterfeit", _l("销售假冒注册商标的商品罪立案追诉标准"), (
        Figure("sales_amount", _l("销售金额（元）"), "money"),
        Figure("unsold_value", _l("尚未销售的货值金额，或与已销售金额合计（元）"), "money"),
        _PRIOR_FACTOR,
    ), _l("调查终结和作出处罚决定时，达到标准的提示涉嫌犯罪、应当移送")),
    RuleKind("criminal.illegal_labels", _l("非法制造、销售非法制造的注册商标标识罪立案追诉标准"), (
        Figure("labels", _l("标识数量（件）"), "count"),
        Figure("business_amount", _l("非法经营数额（元）"), "money"),
        Figure("illegal_gains", _l("违法所得数额（元）"), "money"),
        Figure("multi_labels", _l("两种以上商标：标识数量（件）"), "count"),
        Figure("multi_business_amount", _l("两种以上商标：非法经营数额（元）"), "money"),
        Figure("multi_illegal_gains", _l("两种以上商标：违法所得数额（元）"), "money"),
        _PRIOR_FACTOR,
    ), _l("调查终结和作出处罚决定时，达到标准的提示涉嫌犯罪、应当移送")),
    RuleKind("hearing", _l("应当告知听证权利的较大数额罚款"), (_PERSON, _ORGANISATION),
             _l("法制审核通过时，拟罚款达到标准的必须告知听证权利")),
    RuleKind("publication_lower_fine", _l("公示期三个月的较低数额罚款"), (_PERSON, _ORGANISATION),
             _l("公示时，仅受通报批评或低于此数额罚款的，公示期为三个月，否则为三年")),
    RuleKind("credit_repair", _l("信用修复：可申请提前停止公示的公示时长"), (
        Figure("months", _l("公示满（月）"), "count"),
    ), _l("行政处罚信息公示满此月数，且记录了四项条件的，可提前停止公示")),
    RuleKind("repeat_infringement", _l("从重处罚：商标侵权次数计算年限"), (
        Figure("years", _l("年限（年）"), "years"),
    ), _l("同一当事人在此年限内两次以上侵权的，案件页和决定表单提示应当从重处罚")),
    RuleKind("prior_penalty", _l("刑事门槛：曾受行政处罚的计算年限"), (
        Figure("years", _l("年限（年）"), "years"),
    ), _l("当事人在此年限内因侵犯知识产权受过行政处罚的，刑事门槛提示适用较低标准")),
    RuleKind("clock.legal_review", _l("法制审核期限"), (
        Figure("length", _l("期限长度"), "count"), Figure("unit", _l("计算单位"), "unit"),
    ), _l("调查终结后开始计算的法制审核期限")),
    RuleKind("clock.closing", _l("结案期限"), (
        Figure("length", _l("期限长度"), "count"), Figure("unit", _l("计算单位"), "unit"),
    ), _l("全部义务履行完毕后开始计算的结案期限")),
)}

_SUPERSEDED = ("superseded 2025-04-26 by 法释〔2025〕5号 — confirm figures："
               "2025年4月26日起施行的法释〔2025〕5号已取代本标准，请按其原文核对并录入新数额")

#: (code, effective from, figures, source, confidence, note)
DEFAULTS = (
    ("fine_cap", date(2014, 5, 1),
     {"volume_threshold": "50000", "multiple": 5, "flat_cap": "250000"},
     "《商标法》第六十条第二款", "V", ""),
    ("business_volume_method", date(2014, 5, 1),
     {"methods": "已销售的按实际销售价格；库存的按标价；无标价的按已查清的实际销售平均价格；"
                 "均无法查清的按被侵权商品的市场中间价格"},
     "《商标法实施条例》第七十八条", "V", ""),
    ("criminal.counterfeit_mark", date(2010, 5, 7),
     {"business_amount": "50000", "illegal_gains": "30000", "multi_business_amount": "30000",
      "multi_illegal_gains": "20000"},
     "法释〔2004〕19号第一条；《立案追诉标准（二）》（公通字〔2010〕23号）第六十九条", "S",
     _SUPERSEDED),
    ("criminal.sell_counterfeit", date(2010, 5, 7),
     {"sales_amount": "50000", "unsold_value": "150000"},
     "法释〔2004〕19号第二条；《立案追诉标准（二）》（公通字〔2010〕23号）第七十条", "S",
     _SUPERSEDED + "。另：《刑法修正案（十一）》（2021年3月1日起施行）已将第二百一十四条改为"
     "“违法所得数额较大或者有其他严重情节”"),
    ("criminal.illegal_labels", date(2010, 5, 7),
     {"labels": 20000, "business_amount": "50000", "illegal_gains": "30000",
      "multi_labels": 10000, "multi_business_amount": "30000", "multi_illegal_gains": "20000"},
     "法释〔2004〕19号第三条；《立案追诉标准（二）》（公通字〔2010〕23号）第七十一条", "S",
     _SUPERSEDED),
    ("hearing", date(2021, 7, 15), {"person": "10000", "organisation": "100000"},
     "《行政处罚法》第六十三条；《市场监督管理行政处罚听证办法》（较大数额，地方另有规定的从其规定）",
     "R", "内蒙古自治区如有不同数额，请按自治区规定录入新行"),
    ("publication_lower_fine", date(2021, 9, 1), {"person": "10000", "organisation": "100000"},
     "国家市场监督管理总局令第45号第十三条；演示数据取湖北省数额", "S",
     "内蒙古自治区的数额尚待录入"),
    ("credit_repair", date(2021, 9, 1), {"months": 6},
     "《市场监督管理信用修复管理办法》（国市监信规〔2021〕3号）", "R",
     "条文序号及月数凭记忆，请按原文核对"),
    ("repeat_infringement", date(2014, 5, 1), {"years": 5}, "《商标法》第六十条第二款", "V", ""),
    ("prior_penalty", date(2025, 4, 26), {"years": 2}, "法释〔2025〕5号", "S",
     "二年内受过行政处罚的，刑事门槛较低；具体比例请按原文核对后录入各罪名标准"),
    ("clock.legal_review", date(2021, 7, 15), {"length": 10, "unit": "working_days"},
     "本局法制审核规定（演示）", "S", ""),
    ("clock.closing", date(2019, 7, 1), {"length": 15, "unit": "working_days"},
     "《市场监督管理行政处罚程序规定》第七十七条", "R", ""),
)
