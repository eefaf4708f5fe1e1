"""The permission catalogue and the demo roles built from it.

Code checks permissions, never role names (DESIGN §1). A role is a named set of permissions.
"""
from flask_babel import lazy_gettext as _l

#: every permission the system knows, with its label
PERMISSIONS = {
    "report.file": _l("提交举报"),
    "report.read_own": _l("查看本人（本站）提交的举报"),
    "identification.answer": _l("答复协助辨认/鉴别"),
    "case.read": _l("查看本单位案件"),
    "case.read_all": _l("查看全市案件"),
    "case.create": _l("登记案件线索"),
    "case.assign": _l("指派办案人员"),
    "case.investigate": _l("调查取证、提出建议"),
    "case.approve_filing": _l("审批立案、中止、延期"),
    "case.review": _l("法制审核"),
    "case.decide": _l("作出处罚决定"),
    "case.approve_transfer": _l("审批移送涉嫌犯罪案件"),
    "case.close": _l("审批结案"),
    "referral.read": _l("查看移送本单位的案件"),
    "referral.receive": _l("接收移送案件"),
    "referral.decide": _l("决定是否立案"),
    "referral.supervise": _l("立案监督"),
    "court.read": _l("查看强制执行申请"),
    "court.handle": _l("受理和裁定强制执行申请"),
    "campaign.manage": _l("管理专项执法行动"),
    "stats.read": _l("查看统计"),
    "fieldwork.record": _l("填报执法工作量"),
    "audit.read": _l("查看审计日志"),
    "admin.users": _l("管理用户"),
    "admin.units": _l("管理组织机构"),
    "admin.rules": _l("管理规则数据"),
}

#: role code -> (label, permissions)
ROLES = {
    "rights_holder": (
        _l("商标权利人"), {"report.file", "report.read_own", "identification.answer"}
    ),
    "station": (_l("商标指导站"), {"report.file", "report.read_own"}),
    "inspector": (_l("执法人员"), {"case.read", "case.create", "case.investigate",
                                   "fieldwork.record"}),
    "unit_head": (_l("办案机构负责人"), {"case.read", "case.create", "case.assign",
                                        "stats.read", "fieldwork.record"}),
    "legal_reviewer": (_l("法制审核人员"), {"case.read", "case.review"}),
    "bureau_head": (
        _l("行政机关负责人"),
        {"case.read", "case.approve_filing", "case.decide", "case.approve_transfer", "case.close",
         "stats.read", "campaign.manage"},
    ),
    "police": (_l("公安机关"), {"referral.read", "referral.receive", "referral.decide"}),
    "procurator": (_l("人民检察院"), {"referral.read", "referral.supervise"}),
    "court": (_l("人民法院"), {"court.read", "court.handle"}),
    "supervisor": (
        _l("市局监督人员"), {"case.read", "case.read_all", "campaign.manage", "stats.read"}
    ),
    "auditor": (_l("安全审计员"), {"audit.read"}),
    "admin": (_l("系统管理员"), {"admin.users", "admin.units", "admin.rules"}),
}
