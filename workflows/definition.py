"""The case workflow of DESIGN §2: every action, who may take it, when, with what.

Read it as the table it is. What an action *does* beyond the state change (numbers, documents,
referrals, amounts) lives in ``enforcement.cases.effects``; clock codes are those of
``enforcement.clocks.kinds``; document codes those of ``enforcement.documents.types``.
"""
from workflows import guards as g
from workflows.spec import N_, Action, Actor, Clocks, Field, Side
from workflows.states import CaseState as S
from workflows.states import Stage

INVESTIGATE = (Actor("case.investigate"),)
ASSIGN = (Actor("case.assign"),)
APPROVE_FILING = (Actor("case.approve_filing"),)
REVIEW = (Actor("case.review"),)
DECIDE = (Actor("case.decide"),)
APPROVE_TRANSFER = (Actor("case.approve_transfer"),)
POLICE_RECEIVE = (Actor("referral.receive", Side.police),)
POLICE_DECIDE = (Actor("referral.decide", Side.police),)
COURT = (Actor("court.handle", Side.court),)

#: states before a decision, in which the 90-day decision clock runs
BEFORE_DECISION = (S.investigating, S.suspended, S.legal_review, S.notified, S.hearing,
                   S.decision_review)
DECIDED = (S.decided, S.publicized)
#: every state in which a document may wait for its 送达回证
SERVING_STATES = tuple(s for s in S if s not in (S.registered, S.not_filed, S.transferred_out,
                                                 S.closed))


def reason(label: str, name: str = "reason") -> Field:
    return Field(name, "textarea", label)


def legal_basis(required=True):
    return Field("legal_basis", "text", N_("法律依据"), required=required, max_length=300)


#: one line of a 财物清单 (文书 24)
PROPERTY_COLUMNS = (
    Field("name", "text", N_("物品名称"), max_length=120),
    Field("spec", "text", N_("规格"), required=False, max_length=60),
    Field("quantity", "decimal", N_("数量")),
    Field("unit", "text", N_("单位"), max_length=20),
    Field("location", "text", N_("存放地点"), required=False, max_length=120),
)

#: price bases of 商标法实施条例 Art. 78, in the order the design applies them
PRICE_BASES = (
    ("actual_price", N_("实际销售价格")),
    ("marked_price", N_("标价")),
    ("average_price", N_("已查清的实际销售平均价格")),
    ("market_price", N_("被侵权产品的市场中间价格")),
)

#: one line of the 违法经营额 worksheet
WORKSHEET_COLUMNS = (
    Field("name", "text", N_("商品名称"), max_length=120),
    Field("status", "choice", N_("销售情况"),
          choices=(("sold", N_("已销售")), ("unsold", N_("未销售（库存）")))),
    Field("quantity", "decimal", N_("数量")),
    Field("unit", "text", N_("单位"), max_length=20),
    Field("price", "money", N_("单价（元）")),
    Field("price_basis", "choice", N_("价格依据"), choices=PRICE_BASES),
)


#: the supplier a seller named (商标法 Art. 60 ¶2): the lead goes to its bureau
SUPPLIER_FIELDS = (
    Field("supplier_name", "text", N_("提供者名称"), required=False, max_length=120,
          help=N_("以销售者免责不予处罚的，填写当事人说明的商品提供者")),
    Field("supplier_credit_code", "text", N_("提供者统一社会信用代码"), required=False,
          max_length=18),
    Field("supplier_address", "text", N_("提供者地址"), required=False, max_length=200),
    Field("supplier_unit", "unit", N_("提供者所在地市场监管部门"), required=False,
          option="supplier"),
    Field("supplier_region", "text", N_("提供者所在地（本市以外的）"), required=False,
          max_length=120, help=N_("提供者在本市以外的，填写所在省、市、县（区）")),
)


def measure_document(label: str) -> Field:
    # each 查封/扣押 is known by its 实施行政强制措施决定书 and has its own clock
    return Field("measure_document", "document", label, option="measure",
                 help=N_("按实施行政强制措施决定书文号选择"))


#: the legal grounds for 不予立案 (刑事诉讼法 Art. 16, 112); "materials incomplete" is not one
DECLINE_GROUNDS = (
    ("no_crime", N_("没有犯罪事实")),
    ("below_threshold", N_("情节显著轻微、危害不大，未达到立案追诉标准")),
    ("time_barred", N_("已过追诉时效期限")),
    ("other_exemption", N_("其他依法不追究刑事责任的情形")),
)

SERVICE_METHODS = (
    ("direct", N_("直接送达")),
    ("lodged", N_("留置送达")),
    ("post", N_("邮寄送达")),
    ("electronic", N_("电子送达")),
    ("public_notice", N_("公告送达")),
)

ACTIONS: tuple[Action, ...] = (
    # ---- report (举报) ---------------------------------------------------------------------
    Action(
        "assign", N_("指派办案人员"), (S.registered,), S.verifying, ASSIGN,
        guards=(g.unit_has_team,),
        fields=(Field("inspectors", "users", N_("办案人员"), option=2,
                      help=N_("须指派两名以上持有执法证件的执法人员")),
                Field("note", "textarea", N_("备注"), required=False)),
        basis=N_("《市场监督管理行政处罚程序规定》第十九条"),
    ),
    Action(
        "request_identification", N_("请求权利人协助辨认/鉴别"),
        (S.verifying, S.investigating), None, INVESTIGATE,
        fields=(Field("items", "textarea", N_("需要辨认或鉴别的商品及标识")),
                Field("reply_by", "date", N_("答复期限")),
                Field("photos", "files", N_("待辨认商品照片"), required=False,
                      help=N_("这些照片将提供给权利人，请勿包含当事人个人信息"))),
        documents=("identification_notice",),
        clocks=Clocks(pause=("verification", "decision")),
        basis=N_("《商标法实施条例》第八十二条"),
    ),
    Action(
        "record_identification", N_("记录辨认/鉴别意见"), (S.verifying, S.investigating), None,
        (Actor("case.investigate"), Actor("identification.answer", Side.holder)),
        guards=(g.identification_pending,),
        fields=(Field("genuine", "choice", N_("辨认结论"),
                      choices=(("counterfeit", N_("系假冒注册商标的商品")),
                               ("genuine", N_("系权利人生产或许可的商品")),
                               ("undetermined", N_("无法确定")))),
                Field("opinion", "textarea", N_("辨认/鉴别意见")),
                Field("files", "files", N_("辨认/鉴别材料"), required=False)),
        clocks=Clocks(resume=("verification", "decision")),
    ),
    # ---- mediation of compensation (商标法 Art. 60 ¶3): asked by the holder once the case is
    #      filed and before it is closed or sent to the police; the bureau mediates on request,
    #      it never must agree
    Action(
        "request_mediation", N_("申请调解赔偿数额"), BEFORE_DECISION + DECIDED, None,
        (Actor("report.read_own", Side.holder),),
        guards=(g.no_mediation_pending,),
        fields=(Field("amount", "money", N_("请求赔偿数额（元）")),
                Field("reasons", "textarea", N_("事实和理由"))),
        basis=N_("《商标法》第六十条第三款"),
    ),
    Action(
        "record_mediation", N_("记录调解结果"), BEFORE_DECISION + DECIDED, None, INVESTIGATE,
        guards=(g.mediation_pending,),
        fields=(Field("outcome", "choice", N_("调解结果"),
                      choices=(("agreed", N_("双方达成调解协议")),
                               ("failed", N_("调解不成")),
                               ("declined", N_("不予调解")))),
                Field("agreed_amount", "money", N_("调解赔偿数额（元）"), required=False,
                      help=N_("达成调解协议时填写")),
                Field("note", "textarea", N_("说明"),
                      help=N_("将告知权利人，请勿填写当事人个人信息或内部意见"))),
        basis=N_("《商标法》第六十条第三款"),
    ),
    Action(
        "extend_verification", N_("延长核查期限"), (S.verifying,), None, APPROVE_FILING,
        guards=(g.verification_not_extended,),
        fields=(reason(N_("延长理由")),),
        clocks=Clocks(extend=("verification",)),
        basis=N_("《市场监督管理行政处罚程序规定》第十八条"),
    ),
    Action(
        "propose_filing", N_("提出立案建议"), (S.verifying,), S.filing_review, INVESTIGATE,
        guards=(g.team_of_two,),
        fields=(Field("cause", "text", N_("案由"), max_length=200),
                Field("facts", "textarea", N_("核查情况")),
                Field("proposal", "choice", N_("建议"),
                      choices=(("file", N_("立案")), ("not_file", N_("不予立案")))),
                reason(N_("建议理由"))),
        basis=N_("《市场监督管理行政处罚程序规定》第十八条、第二十条"),
    ),
    # ---- acceptance (立案) -----------------------------------------------------------------
    Action(
        "approve_filing", N_("批准立案"), (S.filing_review,), S.investigating, APPROVE_FILING,
        fields=(Field("opinion", "textarea", N_("审批意见")),
                Field("is_major", "bool", N_("列为重大案件"), required=False)),
        documents=("filing_approval",),
        clocks=Clocks(start=("decision", "inform_reporter"), stop=("verification",)),
        basis=N_("《市场监督管理行政处罚程序规定》第二十条"),
    ),
    Action(
        "reject_filing", N_("不予立案"), (S.filing_review,), S.not_filed, APPROVE_FILING,
        fields=(reason(N_("不予立案理由")),),
        documents=("non_filing_approval",),
        clocks=Clocks(start=("inform_reporter",), stop=("verification",)),
        basis=N_("《市场监督管理行政处罚程序规定》第二十条"),
        tone="danger",
    ),
    Action(
        "return_to_verification", N_("退回核查"), (S.filing_review,), S.verifying,
        APPROVE_FILING, fields=(reason(N_("退回理由")),), tone="secondary",
    ),
    Action(
        "transfer_jurisdiction", N_("移送有管辖权的机关"), (S.verifying,), S.transferred_out,
        APPROVE_FILING,
        fields=(Field("target_unit", "unit", N_("移送至"), option="bureau"),
                reason(N_("移送理由"))),
        documents=("jurisdiction_transfer_letter",),
        clocks=Clocks(stop=("verification",)),
        basis=N_("《市场监督管理行政处罚程序规定》第十四条"),
        tone="secondary",
    ),
    # ---- investigation (调查) --------------------------------------------------------------
    Action(
        "record_inquiry", N_("制作询问笔录"), (S.investigating,), None, INVESTIGATE,
        fields=(Field("person", "text", N_("被询问人"), max_length=80),
                Field("person_id", "text", N_("被询问人身份证件号码"), required=False,
                      max_length=18),
                Field("held_on", "date", N_("询问日期")),
                Field("place", "text", N_("询问地点"), required=False, max_length=200),
                Field("content", "textarea", N_("询问内容"))),
        documents=("inquiry_record",),
    ),
    Action(
        "record_inspection", N_("制作现场笔录"), (S.investigating,), None, INVESTIGATE,
        fields=(Field("place", "text", N_("检查地点"), max_length=200),
                Field("held_on", "date", N_("检查日期")),
                Field("content", "textarea", N_("现场情况"))),
        documents=("inspection_record",),
    ),
    Action(
        "record_evidence", N_("上传证据"), (S.verifying, S.investigating), None, INVESTIGATE,
        fields=(Field("files", "files", N_("证据文件"),
                      help=N_("照片、PDF 文件，可一次选择多个；每个文件不超过 20 MB")),
                Field("title", "text", N_("证据名称"), max_length=200),
                Field("description", "textarea", N_("证明内容"), required=False)),
    ),
    Action(
        "record_sampling", N_("抽样取证"), (S.investigating,), None, INVESTIGATE,
        fields=(Field("goods", "text", N_("样品名称"), max_length=200),
                Field("spec", "text", N_("规格型号"), required=False, max_length=60),
                Field("batch", "text", N_("生产日期或批号"), required=False, max_length=60),
                Field("base_quantity", "text", N_("抽样基数"), required=False, max_length=60),
                Field("quantity", "text", N_("抽样数量"), max_length=60),
                Field("place", "text", N_("抽样地点"), required=False, max_length=200,
                      help=N_("不填写的，为案件登记的违法行为发生地")),
                Field("held_on", "date", N_("抽样日期"))),
        documents=("sampling_record",),
    ),
    Action(
        "impose_measure", N_("实施查封、扣押"), (S.investigating,), None, INVESTIGATE,
        fields=(Field("measure", "choice", N_("措施"),
                      choices=(("seal", N_("查封")), ("seize", N_("扣押")))),
                Field("goods", "rows", N_("财物清单"), columns=PROPERTY_COLUMNS,
                      help=N_("每行一项财物；财物清单和案件涉案商品由此生成")),
                Field("place", "text", N_("实施地点"), max_length=200),
                legal_basis()),
        documents=("coercive_measure_decision", "property_list"),
        clocks=Clocks(start=("seizure",)),
        basis=N_("《商标法》第六十二条、《行政强制法》第二十四条"),
    ),
    Action(
        "extend_measure", N_("延长查封、扣押期限"), (S.investigating,), None, APPROVE_FILING,
        guards=(g.measure_active, g.measure_extendable),
        fields=(measure_document(N_("延长哪一项查封、扣押")), reason(N_("延长理由"))),
        # the chosen measure's own clock is extended (effects.extend_measure): a case may
        # have several running at once
        clocks=Clocks(),
        basis=N_("《行政强制法》第二十五条"),
    ),
    Action(
        "release_measure", N_("解除查封、扣押"), (S.investigating, S.legal_review,
                                               S.decision_review), None, INVESTIGATE,
        guards=(g.measure_active,),
        fields=(measure_document(N_("解除哪一项查封、扣押")), reason(N_("解除理由"))),
        # the chosen measure's own clock stops (effects.release_measure)
        clocks=Clocks(),
        basis=N_("《行政强制法》第二十八条"),
    ),
    Action(
        "order_correction", N_("责令改正"), (S.investigating,), None, INVESTIGATE,
        fields=(Field("violation", "textarea", N_("违法行为")),
                Field("correct_by", "date", N_("改正期限")),
                legal_basis()),
        documents=("correction_order",),
    ),
    Action(
        "compute_business_volume", N_("计算违法经营额"), (S.investigating,), None, INVESTIGATE,
        fields=(Field("lines", "rows", N_("计算表"), columns=WORKSHEET_COLUMNS,
                      help=N_("已销售的按实际销售价格；库存的按标价；无标价的按已查清的实际"
                              "销售平均价格；均无法查清的按被侵权产品的市场中间价格")),
                Field("note", "textarea", N_("价格认定说明"), required=False)),
        basis=N_("《商标法实施条例》第七十八条"),
    ),
    Action(
        "suspend", N_("中止调查"), (S.investigating,), S.suspended, APPROVE_FILING,
        fields=(reason(N_("中止理由")), legal_basis()),
        clocks=Clocks(pause=("decision",)),
        basis=N_("《商标法》第六十二条第三款"),
        tone="secondary",
    ),
    Action(
        "resume", N_("恢复调查"), (S.suspended,), S.investigating, APPROVE_FILING,
        fields=(reason(N_("恢复理由")), legal_basis()),
        clocks=Clocks(resume=("decision",)),
    ),
    Action(
        "record_collective_discussion", N_("记录集体讨论"), BEFORE_DECISION, None, DECIDE,
        fields=(Field("subject", "choice", N_("讨论事项"),
                      choices=(("decide", N_("作出处罚决定")),
                               ("extend_decision", N_("再次延长办案期限")),
                               ("other", N_("其他重大事项")))),
                Field("held_on", "date", N_("讨论日期")),
                Field("participants", "textarea", N_("参加人员")),
                Field("conclusion", "textarea", N_("讨论决定"))),
        basis=N_("《行政处罚法》第五十七条"),
    ),
    Action(
        "extend_decision", N_("延长办案期限"), BEFORE_DECISION, None, APPROVE_FILING,
        guards=(g.decision_extension_discussed,),
        fields=(reason(N_("延长理由")),
                Field("extension_days", "integer", N_("延长天数"), required=False,
                      help=N_("第一次延长为三十日；再次延长的，填写集体讨论决定的合理期限"))),
        clocks=Clocks(extend=("decision",)),
        basis=N_("《市场监督管理行政处罚程序规定》第六十四条"),
    ),
    Action(
        "finish_investigation", N_("调查终结"), (S.investigating,), S.legal_review, INVESTIGATE,
        guards=(g.team_of_two,),
        fields=(Field("findings", "textarea", N_("调查认定的事实")),
                Field("outcome", "choice", N_("处理建议"),
                      choices=(("penalty", N_("给予行政处罚")),
                               ("no_penalty", N_("不予行政处罚")),
                               ("transfer", N_("移送司法机关")))),
                Field("proposed_fine", "money", N_("拟罚款（元）"), required=False),
                Field("penalty_items", "textarea", N_("拟处罚内容"), required=False)),
        documents=("investigation_report",),
        clocks=Clocks(start=("legal_review",)),
        basis=N_("《市场监督管理行政处罚程序规定》第五十五条"),
    ),
    Action(
        "return_for_investigation", N_("退回补充调查"), (S.legal_review, S.decision_review),
        S.investigating,
        (Actor("case.review", states=frozenset({S.legal_review})),
         Actor("case.decide", states=frozenset({S.decision_review}))),
        fields=(reason(N_("退回理由")),),
        clocks=Clocks(stop=("legal_review",)),
        tone="secondary",
    ),
    Action(
        "pass_review", N_("审核通过并告知"), (S.legal_review,), S.notified, REVIEW,
        fields=(Field("opinion", "textarea", N_("审核意见")),
                Field("hearing_rights", "bool", N_("告知听证权利"), required=False)),
        documents=("review_form", "penalty_notice"),
        # the statement window runs from service of the 告知书 (clocks.services.SERVICE_CLOCKS)
        clocks=Clocks(stop=("legal_review",)),
        basis=N_("《行政处罚法》第四十四条、第五十八条"),
    ),
    # ---- penalty (处罚) --------------------------------------------------------------------
    Action(
        "record_statement", N_("记录陈述申辩"), (S.notified,), None, INVESTIGATE,
        fields=(Field("kind", "choice", N_("类型"),
                      choices=(("statement", N_("陈述、申辩")),
                               ("waiver", N_("书面放弃陈述、申辩")))),
                Field("content", "textarea", N_("内容")),
                Field("re_examination", "textarea", N_("复核意见"), required=False)),
        documents=("statement_record",),
        basis=N_("《行政处罚法》第四十五条：不得因当事人陈述、申辩而给予更重的处罚"),
    ),
    Action(
        "request_hearing", N_("当事人要求听证"), (S.notified,), S.hearing, INVESTIGATE,
        guards=(g.hearing_eligible, g.statement_window_open),
        fields=(Field("hearing_on", "date", N_("听证日期")),
                Field("place", "text", N_("听证地点"), max_length=200),
                Field("host", "text", N_("听证主持人"), max_length=80)),
        documents=("hearing_notice",),
        clocks=Clocks(pause=("decision",), stop=("statement",), start=("hearing_notice",)),
        basis=N_("《行政处罚法》第六十四条"),
    ),
    Action(
        "reschedule_hearing", N_("听证改期"), (S.hearing,), None, INVESTIGATE,
        fields=(Field("hearing_on", "date", N_("新的听证日期"),
                      help=N_("听证通知书须在听证七个工作日前送达当事人")),
                Field("place", "text", N_("听证地点"), max_length=200),
                Field("host", "text", N_("听证主持人"), max_length=80),
                reason(N_("改期理由"))),
        # the earlier notice, not yet served, is withdrawn (effects.reschedule_hearing)
        documents=("hearing_notice",),
        clocks=Clocks(start=("hearing_notice",)),
        basis=N_("《行政处罚法》第六十四条"),
        tone="secondary",
    ),
    Action(
        "conclude_hearing", N_("听证结束"), (S.hearing,), S.decision_review, REVIEW,
        guards=(g.hearing_notice_served, g.hearing_day_reached),
        fields=(Field("record", "textarea", N_("听证笔录")),
                Field("report", "textarea", N_("听证报告及处理意见"))),
        documents=("hearing_record", "hearing_report"),
        clocks=Clocks(resume=("decision",), stop=("hearing_notice",)),
        basis=N_("《行政处罚法》第六十五条、第五十八条"),
    ),
    Action(
        "submit_for_decision", N_("提请作出决定"), (S.notified,), S.decision_review, INVESTIGATE,
        guards=(g.statement_window_closed,),
        fields=(Field("note", "textarea", N_("说明"), required=False),),
        clocks=Clocks(stop=("statement",)),
    ),
    Action(
        "decide_penalty", N_("作出行政处罚决定"), (S.decision_review,), S.decided, DECIDE,
        guards=(g.major_case_discussed,),
        fields=(Field("violation", "textarea", N_("违法事实")),
                legal_basis(),
                Field("warning", "bool", N_("警告"), required=False),
                Field("criticism", "bool", N_("通报批评"), required=False),
                Field("fine", "money", N_("罚款（元）"), required=False),
                Field("confiscation", "money", N_("没收违法所得（元）"), required=False),
                Field("confiscated_goods", "textarea", N_("没收、销毁的侵权商品和工具"),
                      required=False),
                Field("order_to_stop", "bool", N_("责令立即停止侵权行为"), required=False),
                Field("heavier_reasoning", "textarea", N_("从重处罚理由"), required=False,
                      help=N_("当事人五年内实施两次以上商标侵权行为的，应当从重处罚，"
                              "并在此说明从重的事实和理由（《商标法》第六十条第二款）"))),
        documents=("penalty_decision",),
        clocks=Clocks(stop=("decision",), start=("decision_service", "publication")),
        basis=N_("《商标法》第六十条、《行政处罚法》第五十七条、第五十九条"),
    ),
    Action(
        "decide_no_penalty", N_("作出不予行政处罚决定"), (S.decision_review,), S.decided,
        DECIDE,
        fields=(Field("ground", "choice", N_("不予处罚理由"),
                      choices=(("seller_exemption",
                                N_("销售不知道是侵权商品，能证明合法取得并说明提供者")),
                               ("first_minor", N_("初次违法且危害后果轻微并及时改正")),
                               ("insufficient", N_("违法事实不能成立")),
                               ("other", N_("其他法定情形")))),
                Field("facts", "textarea", N_("事实和理由")),
                legal_basis(),
                *SUPPLIER_FIELDS),
        # a seller exemption also issues the 案件线索移送函 (effects.decide_no_penalty)
        documents=("no_penalty_decision",),
        clocks=Clocks(stop=("decision",), start=("decision_service",)),
        basis=N_("《商标法》第六十条第二款、《行政处罚法》第三十三条"),
    ),
    Action(
        "record_service", N_("记录送达"), SERVING_STATES, None, INVESTIGATE,
        guards=(g.has_unserved_documents,),
        fields=(Field("document", "document", N_("送达文书")),
                Field("method", "choice", N_("送达方式"), choices=SERVICE_METHODS),
                Field("served_on", "date", N_("送达日期")),
                Field("recipient", "text", N_("受送达人"), max_length=80)),
        documents=("service_record",),
        basis=N_("《行政处罚法》第六十一条"),
    ),
    Action(
        "record_payment", N_("登记缴款"), DECIDED, None, INVESTIGATE,
        guards=(g.penalty_decided, g.amount_due),
        fields=(Field("amount", "money", N_("缴款金额（元）")),
                Field("paid_on", "date", N_("缴款日期")),
                Field("reference", "text", N_("银行缴款凭证号"), max_length=60),
                Field("surcharge_paid", "money", N_("其中缴纳加处罚款（元）"), required=False,
                      help=N_("逾期缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
                              "加处罚款的数额不超过罚款数额（《行政处罚法》第七十二条）"))),
        basis=N_("《行政处罚法》第六十七条"),
    ),
    # ---- publicity (公示) ------------------------------------------------------------------
    Action(
        "publish", N_("公示处罚信息"), (S.decided,), S.publicized, DECIDE,
        guards=(g.penalty_decided, g.not_warning_only),
        fields=(Field("note", "textarea", N_("公示说明"), required=False),
                # the head reads the redacted version first (publicity preview) and may hide
                # more; enforcement.publicity.redaction applies these with the rules
                Field("extra_masks", "textarea", N_("另行隐去的内容"), required=False,
                      help=N_("每行一项，公示的页面和PDF中将以＊＊＊代替")),),
        documents=("publication_summary",),
        clocks=Clocks(stop=("publication",), start=("publication_period",)),
        basis=N_("国家市场监督管理总局令第45号第九条"),
    ),
    Action(
        "withdraw_publication", N_("撤下公示信息"), (S.publicized,), None, DECIDE,
        guards=(g.publication_active,),
        fields=(reason(N_("撤回理由")),),
        clocks=Clocks(stop=("publication_period", "publication_withdrawal")),
        basis=N_("国家市场监督管理总局令第45号第十四条"),
        tone="danger",
    ),
    Action(
        "serve_payment_demand", N_("催告履行"), DECIDED, None, INVESTIGATE,
        guards=(g.penalty_decided, g.amount_due, g.payment_overdue),
        fields=(Field("content", "textarea", N_("催告内容")),),
        documents=("payment_demand",),
        basis=N_("《行政强制法》第五十四条"),
    ),
    # ---- judicial referral (移送) ----------------------------------------------------------
    Action(
        "apply_court_enforcement", N_("申请人民法院强制执行"), DECIDED, S.court_enforcement,
        DECIDE,
        guards=(g.penalty_decided, g.amount_due, g.remedies_expired, g.demand_served_ten_days,
                g.published_if_required),
        fields=(Field("court", "unit", N_("人民法院"), option="court"),
                Field("content", "textarea", N_("申请执行内容"))),
        documents=("enforcement_application",),
        # the unpaid fine is now the court's to enforce (行政强制法 Art. 53)
        clocks=Clocks(stop=("court_application",), start=("court_acceptance",),
                      cancel=("payment",)),
        basis=N_("《行政强制法》第五十三条、第五十四条"),
    ),
    Action(
        "accept_enforcement", N_("受理强制执行申请"), (S.court_enforcement,), None, COURT,
        guards=(g.enforcement_not_accepted,),
        fields=(Field("court_case_no", "text", N_("法院案号"), max_length=60),
                Field("hears_parties", "bool", N_("听取被执行人和行政机关的意见"),
                      required=False,
                      help=N_("听取意见的，应当自受理之日起三十日内作出裁定（《行政强制法》"
                              "第五十八条）"))),
        clocks=Clocks(stop=("court_acceptance",), start=("court_ruling",)),
        basis=N_("《行政强制法》第五十六条"),
    ),
    Action(
        "rule_enforcement", N_("作出执行裁定"), (S.court_enforcement,), None, COURT,
        guards=(g.enforcement_accepted,),
        fields=(Field("ruling", "choice", N_("裁定"),
                      choices=(("enforce", N_("准予执行")), ("refuse", N_("不予执行")))),
                Field("reasons", "textarea", N_("理由"))),
        clocks=Clocks(stop=("court_ruling", "court_ruling_hearing")),
        basis=N_("《行政强制法》第五十七条、第五十八条"),
    ),
    Action(
        "propose_transfer", N_("提出移送公安机关"),
        (S.investigating, S.legal_review, S.decision_review), S.referral_review, INVESTIGATE,
        guards=(g.team_of_two,),
        fields=(Field("suspected_crime", "choice", N_("涉嫌罪名"),
                      choices=(("counterfeit_mark", N_("假冒注册商标罪")),
                               ("sell_counterfeit", N_("销售假冒注册商标的商品罪")),
                               ("illegal_labels", N_("非法制造、销售非法制造的注册商标标识罪")))),
                Field("report", "textarea", N_("涉嫌犯罪案件调查报告")),
                Field("goods_list", "textarea", N_("涉案物品清单"), required=False)),
        clocks=Clocks(start=("transfer_decision",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第三条、第五条"),
    ),
    Action(
        "approve_transfer", N_("批准移送公安机关"), (S.referral_review,), S.referred,
        APPROVE_TRANSFER,
        fields=(Field("police_unit", "unit", N_("移送至公安机关"), option="police"),
                Field("opinion", "textarea", N_("审批意见"))),
        documents=("transfer_letter", "transfer_report", "seized_goods_list"),
        clocks=Clocks(stop=("transfer_decision", "decision"), start=("transfer_delivery",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第五条、第六条"),
    ),
    Action(
        "reject_transfer", N_("不批准移送"), (S.referral_review,), S.investigating,
        APPROVE_TRANSFER,
        fields=(reason(N_("不批准理由")),),
        clocks=Clocks(stop=("transfer_decision",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第五条"),
        tone="secondary",
    ),
    Action(
        "acknowledge_transfer", N_("签收移送案件"), (S.referred,), None, POLICE_RECEIVE,
        guards=(g.referral_not_acknowledged,),
        fields=(Field("note", "textarea", N_("回执说明"), required=False),),
        clocks=Clocks(stop=("transfer_delivery",), start=("police_decision",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第八条"),
    ),
    Action(
        "request_supplement", N_("要求补充材料"), (S.referred,), None, POLICE_RECEIVE,
        guards=(g.referral_acknowledged,),
        fields=(Field("materials", "textarea", N_("需补充的材料")),),
        # the bureau has three days; the police may not refuse the transfer meanwhile
        clocks=Clocks(start=("supplement",)),
        basis=N_("《公安机关受理行政执法机关移送涉嫌犯罪案件规定》第七条"),
    ),
    Action(
        "supply_materials", N_("补充移送材料"), (S.referred,), None, INVESTIGATE,
        guards=(g.supplement_pending,),
        fields=(Field("materials", "textarea", N_("补充的材料")),),
        clocks=Clocks(stop=("supplement",)),
    ),
    Action(
        "forward_transfer", N_("移送有管辖权的公安机关"), (S.referred,), None, POLICE_RECEIVE,
        guards=(g.referral_acknowledged,),
        # the receiving unit's own clocks start when it signs for the transfer
        clocks=Clocks(cancel=("police_decision",), start=("transfer_delivery",)),
        fields=(Field("police_unit", "unit", N_("有管辖权的公安机关"), option="police"),
                reason(N_("移送理由"))),
        basis=N_("《公安机关办理刑事案件程序规定》第一百七十九条"),
    ),
    Action(
        "accept_transfer", N_("决定立案"), (S.referred,), S.police_filed, POLICE_DECIDE,
        guards=(g.referral_acknowledged,),
        fields=(Field("police_case_no", "text", N_("公安机关立案编号"), max_length=60),
                Field("note", "textarea", N_("立案决定说明"), required=False)),
        clocks=Clocks(stop=("police_decision",), start=("goods_handover",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第八条、第十二条"),
    ),
    Action(
        "decline_transfer", N_("决定不予立案"), (S.referred,), S.referral_declined,
        POLICE_DECIDE,
        guards=(g.referral_acknowledged, g.no_supplement_pending),
        fields=(Field("ground", "choice", N_("不予立案的法定情形"), choices=DECLINE_GROUNDS,
                      help=N_("材料不全的，应当要求移送机关补充，不得以此不予立案")),
                reason(N_("不予立案理由"))),
        clocks=Clocks(stop=("police_decision",), start=("reconsideration",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第八条"),
        tone="danger",
    ),
    Action(
        "request_reconsideration", N_("提请复议"), (S.referral_declined,), S.referred,
        APPROVE_TRANSFER,
        guards=(g.reconsideration_window_open, g.reconsideration_once),
        fields=(reason(N_("复议理由")),),
        clocks=Clocks(stop=("reconsideration",), start=("police_decision",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第九条"),
    ),
    Action(
        "request_supervision", N_("建议检察机关立案监督"), (S.referral_declined,), None,
        APPROVE_TRANSFER,
        fields=(reason(N_("建议理由")),),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第九条"),
    ),
    Action(
        "resume_administrative", N_("恢复行政处罚程序"), (S.referral_declined,), S.investigating,
        APPROVE_TRANSFER,
        fields=(reason(N_("说明")),),
        clocks=Clocks(stop=("reconsideration",), start=("decision",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第十条"),
    ),
    Action(
        "record_supervision", N_("记录检察监督意见"), (S.referred, S.referral_declined), None,
        (Actor("referral.supervise", Side.procuratorate),),
        fields=(Field("kind", "choice", N_("监督方式"),
                      choices=(("filing_supervision", N_("立案监督")),
                               ("opinion", N_("检察意见")))),
                Field("opinion", "textarea", N_("监督意见"))),
    ),
    Action(
        "hand_over_goods", N_("移交涉案物品"), (S.police_filed,), None, INVESTIGATE,
        fields=(Field("handover_list", "textarea", N_("移交清单")),
                Field("handed_on", "date", N_("移交日期"))),
        clocks=Clocks(stop=("goods_handover",)),
        basis=N_("《行政执法机关移送涉嫌犯罪案件的规定》第十二条"),
    ),
    # ---- closing (结案) --------------------------------------------------------------------
    Action(
        "close", N_("结案"), (S.decided, S.publicized, S.police_filed, S.court_enforcement),
        S.closed, (Actor("case.close"),),
        guards=(g.decision_served, g.published_if_required, g.paid_or_enforced,
                g.goods_handed_over),
        fields=(Field("summary", "textarea", N_("结案报告")),),
        documents=("closing_approval",),
        clocks=Clocks(stop=("closing",)),
        basis=N_("《市场监督管理行政处罚程序规定》第七十七条"),
    ),
)

ACTIONS_BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}

STATE_LABELS = {
    S.registered: N_("已登记"),
    S.verifying: N_("核查中"),
    S.filing_review: N_("立案审批中"),
    S.not_filed: N_("不予立案"),
    S.transferred_out: N_("已移送管辖"),
    S.investigating: N_("调查取证"),
    S.suspended: N_("中止调查"),
    S.legal_review: N_("审核中"),
    S.notified: N_("已告知"),
    S.hearing: N_("听证"),
    S.decision_review: N_("待决定"),
    S.decided: N_("已作出决定"),
    S.publicized: N_("已公示"),
    S.referral_review: N_("移送审批中"),
    S.referred: N_("已移送公安"),
    S.referral_declined: N_("公安不予立案"),
    S.police_filed: N_("公安已立案"),
    S.court_enforcement: N_("申请法院强制执行"),
    S.closed: N_("已结案"),
}

STAGE_LABELS = {
    Stage.report: N_("举报"),
    Stage.acceptance: N_("立案"),
    Stage.investigation: N_("调查"),
    Stage.penalty: N_("处罚"),
    Stage.publicity: N_("公示"),
    Stage.referral: N_("移送"),
}
