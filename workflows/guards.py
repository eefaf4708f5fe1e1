"""Guards: the conditions actions need, over facts the app supplies about one case.

Each guard reads :class:`CaseFacts` only, so the same guard decides a POST, the buttons a page
shows and the ``allowed_actions`` of the API. Facts that later parts of the system refine
(clocks, documents, rules) are named here and computed by the app.
"""
from typing import Protocol

from workflows.spec import N_, Guard


class CaseFacts(Protocol):
    """What guards may ask about a case. Implemented by ``enforcement.cases.facts``."""

    def count(self, action: str) -> int:
        """How many times an action was taken on the case."""

    def discussions(self, subject: str) -> int:
        """How many collective discussions (集体讨论) were recorded on a subject."""

    credentialed_colleagues: int  # credentialed inspectors of the handling unit
    team_size: int  # inspectors assigned to the case
    identification_pending: bool
    is_major: bool
    statement_window_over: bool
    waiver_recorded: bool
    hearing_eligible: bool
    decision_kind: str | None  # "penalty", "no_penalty" or None
    warning_only: bool
    amount_due: float  # fines and confiscations not yet paid
    payment_overdue: bool
    remedies_expired: bool  # review (60 days) and litigation (6 months) periods over
    demand_served_working_days: int | None  # working days since the 催告书 was served
    unserved_documents: int
    decision_served: bool
    publication_active: bool
    publication_required: bool
    referral_acknowledged: bool
    supplement_pending: bool
    reconsideration_window_open: bool
    measures_active: int  # 查封/扣押 in force
    measure_extendable: bool
    enforcement_accepted: bool
    enforcement_ruled: bool
    goods_to_hand_over: bool
    hearing_notice_served: bool  # the latest 听证通知书, served 7 working days before
    hearing_day_reached: bool


def _guard(code, reason, check):
    return Guard(code=code, reason=reason, check=check)


unit_has_team = _guard(
    "unit_has_team",
    N_("本单位持有执法证件的执法人员不足两名，无法指派（《市场监督管理行政处罚程序规定》第十九条）"),
    lambda f: f.credentialed_colleagues >= 2,
)
team_of_two = _guard(
    "team_of_two",
    N_("案件须由两名以上持有执法证件的执法人员办理，请先指派办案人员"),
    lambda f: f.team_size >= 2,
)
identification_pending = _guard(
    "identification_pending",
    N_("没有待答复的协助辨认/鉴别请求"),
    lambda f: f.identification_pending,
)
verification_not_extended = _guard(
    "verification_not_extended",
    N_("核查期限只能延长一次，且已经延长（《市场监督管理行政处罚程序规定》第十八条）"),
    lambda f: f.count("extend_verification") == 0,
)
decision_extension_discussed = _guard(
    "decision_extension_discussed",
    N_("办案期限已延长过一次，再次延长须先记录集体讨论决定"),
    lambda f: f.count("extend_decision") == 0
    or f.discussions("extend_decision") >= f.count("extend_decision"),
)
major_case_discussed = _guard(
    "major_case_discussed",
    N_("重大案件须经行政机关负责人集体讨论决定，请先记录集体讨论（《行政处罚法》第五十七条）"),
    lambda f: not f.is_major or f.discussions("decide") >= 1,
)
statement_window_closed = _guard(
    "statement_window_closed",
    N_("陈述、申辩期限尚未届满，当事人也未书面放弃陈述、申辩"),
    lambda f: f.statement_window_over or f.waiver_recorded,
)
statement_window_open = _guard(
    "statement_window_open",
    N_("陈述、申辩期限已届满或当事人已放弃，不能再提出听证要求（《行政处罚法》第六十四条）"),
    lambda f: not f.statement_window_over and not f.waiver_recorded,
)
hearing_eligible = _guard(
    "hearing_eligible",
    N_("拟作出的处罚不属于应当告知听证权利的情形"),
    lambda f: f.hearing_eligible,
)
penalty_decided = _guard(
    "penalty_decided",
    N_("本案作出的不是行政处罚决定"),
    lambda f: f.decision_kind == "penalty",
)
not_warning_only = _guard(
    "not_warning_only",
    N_("仅给予警告的行政处罚决定不予公示（国家市场监督管理总局令第45号第二条）"),
    lambda f: not f.warning_only,
)
amount_due = _guard(
    "amount_due",
    N_("本案没有尚未缴清的罚没款"),
    lambda f: f.amount_due > 0,
)
payment_overdue = _guard(
    "payment_overdue",
    N_("缴款期限尚未届满，不能催告履行"),
    lambda f: f.payment_overdue,
)
remedies_expired = _guard(
    "remedies_expired",
    N_("行政复议期限（六十日）或行政诉讼期限（六个月）尚未届满（《行政强制法》第五十三条）"),
    lambda f: f.remedies_expired,
)
demand_served_ten_days = _guard(
    "demand_served_ten_days",
    N_("履行催告书送达未满十个工作日（《行政强制法》第五十四条）"),
    lambda f: f.demand_served_working_days is not None and f.demand_served_working_days >= 10,
)
has_unserved_documents = _guard(
    "has_unserved_documents",
    N_("没有需要记录送达的文书"),
    lambda f: f.unserved_documents > 0,
)
publication_active = _guard(
    "publication_active",
    N_("本案没有正在公示的信息"),
    lambda f: f.publication_active,
)
referral_not_acknowledged = _guard(
    "referral_not_acknowledged",
    N_("已经签收，无需重复签收"),
    lambda f: not f.referral_acknowledged,
)
referral_acknowledged = _guard(
    "referral_acknowledged",
    N_("请先签收移送案件（回执）"),
    lambda f: f.referral_acknowledged,
)
supplement_pending = _guard(
    "supplement_pending",
    N_("公安机关没有要求补充材料"),
    lambda f: f.supplement_pending,
)
no_supplement_pending = _guard(
    "no_supplement_pending",
    N_("已要求移送机关补充材料，补充前不得作出不予立案决定；材料不全不是不予立案的理由"
       "（《公安机关受理行政执法机关移送涉嫌犯罪案件规定》第七条）"),
    lambda f: not f.supplement_pending,
)
reconsideration_once = _guard(
    "reconsideration_once",
    N_("本次移送已提请过复议；对复议决定仍有异议的，可以建议人民检察院立案监督"
       "（国务院令第310号第九条）"),
    lambda f: f.count("request_reconsideration") < f.count("approve_transfer"),
)
reconsideration_window_open = _guard(
    "reconsideration_window_open",
    N_("提请复议须在收到不予立案决定书之日起三日内提出（国务院令第310号第九条）"),
    lambda f: f.reconsideration_window_open,
)
measure_active = _guard(
    "measure_active",
    N_("没有正在实施的查封、扣押措施"),
    lambda f: f.measures_active > 0,
)
measure_extendable = _guard(
    "measure_extendable",
    N_("查封、扣押期限只能延长一次，且不得超过三十日（《行政强制法》第二十五条）"),
    lambda f: f.measure_extendable,
)
enforcement_not_accepted = _guard(
    "enforcement_not_accepted",
    N_("人民法院已经受理该申请"),
    lambda f: not f.enforcement_accepted,
)
enforcement_accepted = _guard(
    "enforcement_accepted",
    N_("人民法院尚未受理该申请"),
    lambda f: f.enforcement_accepted and not f.enforcement_ruled,
)
hearing_notice_served = _guard(
    "hearing_notice_served",
    N_("听证通知书尚未在听证七个工作日前送达当事人，不能举行听证（《行政处罚法》第六十四条）"),
    lambda f: f.hearing_notice_served,
)
hearing_day_reached = _guard(
    "hearing_day_reached",
    N_("尚未到通知的听证日期"),
    lambda f: f.hearing_day_reached,
)
# closing (结案): every obligation met (Order 42 Art. 77)
decision_served = _guard(
    "decision_served",
    N_("处理决定书尚未送达当事人"),
    lambda f: f.decision_kind is None or f.decision_served,
)
published_if_required = _guard(
    "published_if_required",
    N_("行政处罚信息尚未公示"),
    lambda f: not f.publication_required,
)
paid_or_enforced = _guard(
    "paid_or_enforced",
    N_("罚没款尚未缴清，也未经人民法院强制执行终结"),
    lambda f: f.amount_due <= 0 or f.enforcement_ruled,
)
goods_handed_over = _guard(
    "goods_handed_over",
    N_("涉案物品尚未移交公安机关"),
    lambda f: not f.goods_to_hand_over,
)
# mediation of compensation (商标法 Art. 60 ¶3): one request at a time, each answered
mediation_pending = _guard(
    "mediation_pending",
    N_("没有待处理的调解申请"),
    lambda f: f.count("request_mediation") > f.count("record_mediation"),
)
no_mediation_pending = _guard(
    "no_mediation_pending",
    N_("已有调解申请正在处理，请等待办案机构答复"),
    lambda f: f.count("request_mediation") <= f.count("record_mediation"),
)
