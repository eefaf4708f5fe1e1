"""The organisation units, marks and users of the demo (DESIGN §1). Marks are invented."""
from enforcement.marks.models import MarkType
from enforcement.orgs.models import UnitKind

#: district code -> (division name, short name, county-level: has its own court and procuratorate)
DISTRICTS = {
    "linhe": ("临河区", "临", True),
    "wuyuan": ("五原县", "五", True),
    "dengkou": ("磴口县", "磴", True),
    "qianqi": ("乌拉特前旗", "前", True),
    "zhongqi": ("乌拉特中旗", "中", True),
    "houqi": ("乌拉特后旗", "后", True),
    "hanghou": ("杭锦后旗", "杭", True),
    "jingkai": ("巴彦淖尔经济技术开发区", "经开", False),
    "shuanghe": ("双河区", "双", False),
}


def units() -> list[tuple[str, str, str, UnitKind, str | None, str]]:
    """(code, name, short name, kind, parent code, district), parents first."""
    rows = [
        ("city_amr", "巴彦淖尔市市场监督管理局", "巴", UnitKind.bureau, None, "city"),
        ("city_police", "巴彦淖尔市公安局", "巴公", UnitKind.police, None, "city"),
        ("city_procuratorate", "巴彦淖尔市人民检察院", "巴检", UnitKind.procuratorate, None,
         "city"),
        ("city_court", "巴彦淖尔市中级人民法院", "巴中法", UnitKind.court, None, "city"),
    ]
    for code, (name, short, county) in DISTRICTS.items():
        if county:
            prefix = "巴彦淖尔市临河区" if code == "linhe" else name
            rows.append((f"{code}_amr", f"{prefix}市场监督管理局", short, UnitKind.bureau,
                         "city_amr", code))
            police = "巴彦淖尔市公安局临河区分局" if code == "linhe" else f"{name}公安局"
            rows.append((f"{code}_police", police, f"{short}公", UnitKind.police, "city_police",
                         code))
            rows.append((f"{code}_procuratorate", f"{name}人民检察院", f"{short}检",
                         UnitKind.procuratorate, "city_procuratorate", code))
            rows.append((f"{code}_court", f"{name}人民法院", f"{short}法", UnitKind.court,
                         "city_court", code))
        else:
            rows.append((f"{code}_amr", f"巴彦淖尔市市场监督管理局{name}分局", short,
                         UnitKind.bureau, "city_amr", code))
            rows.append((f"{code}_police", f"巴彦淖尔市公安局{name}分局", f"{short}公",
                         UnitKind.police, "city_police", code))
        rows.append((f"{code}_station", f"{name}商标品牌指导站", f"{short}站", UnitKind.station,
                     f"{code}_amr", code))
    return rows


#: (reg_no, name, type, classes, goods, owner, owner username)
MARKS = [
    ("90000001", "河套", MarkType.geographical_indication, [30], "面粉、挂面、馒头粉",
     "巴彦淖尔市河套农产品协会（演示）", "holder_hetao"),
    ("90000002", "河套王", MarkType.well_known, [33], "白酒", "河套王酒业有限公司（演示）", None),
    ("90000003", "巴美肉羊", MarkType.geographical_indication, [29, 31], "羊肉、活羊",
     "巴彦淖尔市肉羊产业协会（演示）", None),
    ("90000004", "维信", MarkType.well_known, [25, 23], "羊绒衫、羊绒纱线",
     "维信羊绒集团有限公司（演示）", "holder_weixin"),
    ("90000005", "乌拉特羊肉", MarkType.geographical_indication, [29], "羊肉",
     "乌拉特中旗畜牧业协会（演示）", None),
    ("90000006", "五原向日葵", MarkType.geographical_indication, [31, 29], "葵花籽、炒货",
     "五原县向日葵产业协会（演示）", None),
    ("90000007", "磴口华莱士瓜", MarkType.geographical_indication, [31], "甜瓜",
     "磴口县华莱士瓜协会（演示）", None),
    ("90000008", "巴彦淖尔小麦", MarkType.collective, [30, 31], "小麦、面粉",
     "巴彦淖尔市粮食行业协会（演示）", None),
]

#: (username, full name, roles, unit code or None, credential number or None)
USERS = [
    ("admin", "系统管理员", ["admin"], "city_amr", None),
    ("auditor", "安全审计员", ["auditor"], "city_amr", None),
    ("supervisor", "赵监督", ["supervisor"], "city_amr", None),
    ("city_head", "王局长", ["bureau_head"], "city_amr", "15080000001"),
    ("city_reviewer", "李法制", ["legal_reviewer"], "city_amr", "15080000002"),
    ("city_unit_head", "张科长", ["unit_head"], "city_amr", "15080000003"),
    ("city_inspector1", "刘执法", ["inspector"], "city_amr", "15080000011"),
    ("city_inspector2", "陈执法", ["inspector"], "city_amr", "15080000012"),
    ("linhe_head", "杨局长", ["bureau_head"], "linhe_amr", "15080200001"),
    ("linhe_reviewer", "周法制", ["legal_reviewer"], "linhe_amr", "15080200002"),
    ("linhe_unit_head", "吴队长", ["unit_head"], "linhe_amr", "15080200003"),
    ("linhe_inspector1", "郑执法", ["inspector"], "linhe_amr", "15080200011"),
    ("linhe_inspector2", "孙执法", ["inspector"], "linhe_amr", "15080200012"),
    ("wuyuan_head", "马局长", ["bureau_head"], "wuyuan_amr", "15082100001"),
    ("wuyuan_unit_head", "胡队长", ["unit_head"], "wuyuan_amr", "15082100003"),
    ("wuyuan_inspector1", "高执法", ["inspector"], "wuyuan_amr", "15082100011"),
    ("wuyuan_inspector2", "林执法", ["inspector"], "wuyuan_amr", "15082100012"),
    ("station_linhe", "临河指导站", ["station"], "linhe_station", None),
    ("police_city", "市局经侦", ["police"], "city_police", None),
    ("police_linhe", "临河分局经侦", ["police"], "linhe_police", None),
    ("procurator_city", "市检察院", ["procurator"], "city_procuratorate", None),
    ("court_linhe", "临河法院执行局", ["court"], "linhe_court", None),
    ("holder_hetao", "河套农产品协会", ["rights_holder"], None, None),
    ("holder_weixin", "维信羊绒维权部", ["rights_holder"], None, None),
]
