"""The document types of DESIGN §5 (numbers from the 2021 SAMR template list)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class DocType:
    code: str
    title: str
    #: the word in the number, e.g. 立 in 临市监立〔2026〕3号; None: the document has no number
    number_word: str | None = None
    #: must be served on the party, with a 送达回证
    served: bool = False
    #: "sync": the PDF is made inside the issuing transaction; "deferred": the transaction
    #: numbers the document and freezes its data, and the PDF is made right afterwards (by
    #: ``flask documents render-pending`` or on first download), see documents.services
    render: str = "sync"


DOC_TYPES = {t.code: t for t in (
    # made for every public filing: rendered after the filing commits (issue 5, benchmark)
    DocType("report_form", _l("举报登记表"), render="deferred"),
    DocType("report_receipt", _l("举报受理回执"), render="deferred"),
    DocType("report_result_notice", _l("举报处理结果告知书")),
    DocType("filing_approval", _l("立案审批表"), "立"),
    DocType("non_filing_approval", _l("不予立案审批表"), "不立"),
    DocType("jurisdiction_transfer_letter", _l("案件移送函"), "移"),
    DocType("identification_notice", _l("协助辨认/鉴别通知书"), "辨", served=True),
    DocType("inquiry_record", _l("询问笔录")),
    DocType("inspection_record", _l("现场笔录")),
    DocType("sampling_record", _l("抽样记录")),
    DocType("coercive_measure_decision", _l("实施行政强制措施决定书"), "强", served=True),
    DocType("property_list", _l("财物清单")),
    DocType("correction_order", _l("责令改正通知书"), "责改", served=True),
    DocType("investigation_report", _l("案件调查终结报告")),
    DocType("review_form", _l("案件审核表")),
    DocType("penalty_notice", _l("行政处罚告知书"), "罚告", served=True),
    DocType("statement_record", _l("陈述申辩笔录")),
    DocType("hearing_notice", _l("行政处罚听证通知书"), "听", served=True),
    DocType("hearing_record", _l("听证笔录")),
    DocType("hearing_report", _l("听证报告")),
    DocType("penalty_decision", _l("行政处罚决定书"), "处罚", served=True),
    DocType("no_penalty_decision", _l("不予行政处罚决定书"), "不罚", served=True),
    # 商标法 Art. 60 ¶2: the supplier a seller named goes to the bureau where it is
    DocType("supplier_referral_letter", _l("案件线索移送函"), "线移"),
    DocType("payment_demand", _l("行政处罚决定履行催告书"), "催", served=True),
    DocType("enforcement_application", _l("强制执行申请书"), "执申"),
    DocType("service_record", _l("送达回证")),
    DocType("closing_approval", _l("结案审批表")),
    DocType("transfer_letter", _l("涉嫌犯罪案件移送书"), "刑移"),
    DocType("transfer_report", _l("涉嫌犯罪案件调查报告")),
    DocType("seized_goods_list", _l("涉案物品清单")),
    DocType("publication_summary", _l("行政处罚信息摘要")),
)}

#: decisions whose service starts the periods that run "from service"
DECISION_TYPES = ("penalty_decision", "no_penalty_decision")
