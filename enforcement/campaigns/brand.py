"""The brand-strategy dashboard: the registry's counts per district against the city
opinion's 2020 targets (巴彦淖尔市商标品牌战略实施意见, 2018)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select

from enforcement.campaigns.models import TrademarkDistrict
from enforcement.extensions import db
from enforcement.marks.models import MarkType, Trademark
from enforcement.orgs.models import OrgUnit, UnitKind

#: the opinion's targets for 2020; effective registrations grow 8 % a year from 8,000
BASE_YEAR, BASE_EFFECTIVE, GROWTH = 2020, 8000, 0.08
TARGETS = {"gi": 80, "collective": 30, "well_known": 8}
COLUMNS = (("effective", _l("有效注册商标")), ("gi", _l("地理标志证明商标")),
           ("collective", _l("集体商标")), ("well_known", _l("驰名商标")))


def effective_target(year: int) -> int:
    """8,000 in 2020, then 8 % more each year."""
    return round(BASE_EFFECTIVE * (1 + GROWTH) ** max(0, year - BASE_YEAR))


@dataclass
class BrandRow:
    district: str | None
    label: str
    values: dict


def counts(today) -> list[BrandRow]:
    """Per owner's district: effective marks (not expired) and, of them, each special type."""
    effective = or_(Trademark.valid_until.is_(None), Trademark.valid_until >= today)

    def of_type(mark_type):
        return func.sum(case((Trademark.mark_type == mark_type, 1), else_=0))

    query = (select(TrademarkDistrict.district, func.count(Trademark.id).label("effective"),
                    of_type(MarkType.geographical_indication).label("gi"),
                    of_type(MarkType.collective).label("collective"),
                    of_type(MarkType.well_known).label("well_known"))
             .select_from(Trademark)
             .outerjoin(TrademarkDistrict, TrademarkDistrict.trademark_id == Trademark.id)
             .where(effective).group_by(TrademarkDistrict.district))
    found = {row.district: {code: int(getattr(row, code) or 0) for code, _l in COLUMNS}
             for row in db.session.execute(query)}
    empty = {code: 0 for code, _label in COLUMNS}
    bureaus = db.session.execute(select(OrgUnit.district, OrgUnit.name).where(
        OrgUnit.kind == UnitKind.bureau, OrgUnit.parent_id.is_not(None)).order_by(OrgUnit.id))
    rows = [BrandRow(district, district_name(name), found.get(district, empty))
            for district, name in bureaus]
    if None in found:
        rows.append(BrandRow(None, str(_l("地区未登记")), found[None]))
    return rows


def targets(year: int) -> dict:
    return {"effective": effective_target(year), **TARGETS}


def district_name(unit_name: str) -> str:
    """临河区 from 巴彦淖尔市临河区市场监督管理局, 双河区 from …市场监督管理局双河区分局."""
    name = unit_name.removeprefix("巴彦淖尔市市场监督管理局").removeprefix("巴彦淖尔市")
    return name.replace("市场监督管理局", "").removesuffix("分局") or unit_name
