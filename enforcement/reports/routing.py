"""Which bureau receives a report (jurisdiction, 投诉举报办法 Art. 25–28)."""
import time

from sqlalchemy import select

from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit, UnitKind

#: the district code of the city-level units
CITY = "city"


def district_bureaus() -> list[OrgUnit]:
    """The active district-level bureaus, in their tree order."""
    return list(db.session.scalars(
        select(OrgUnit).where(OrgUnit.kind == UnitKind.bureau, OrgUnit.active.is_(True),
                              OrgUnit.district != CITY).order_by(OrgUnit.id)))


#: how long a process reuses the district list (units change a few times a decade; a
#: district closed meanwhile is routed to the city bureau at registration)
CHOICES_TTL = 60.0
_choices: dict[str, tuple[float, list[tuple[str, str]]]] = {}


def district_choices() -> list[tuple[str, str]]:
    """(district code, name) for the district select, e.g. ("linhe", "临河区")."""
    key = str(db.engine.url)
    now = time.monotonic()
    held = _choices.get(key)
    if held is None or held[0] < now:
        held = (now + CHOICES_TTL,
                [(u.district, _district_name(u.name)) for u in district_bureaus()])
        _choices[key] = held
    return list(held[1])


def _district_name(unit_name: str) -> str:
    name = unit_name.replace("市场监督管理局", "").replace("巴彦淖尔市", "")
    return name.removesuffix("分局") or unit_name


def receiving_unit(district: str, *, online: bool) -> OrgUnit:
    """The bureau that handles a report.

    The rule (市场监督管理投诉举报处理暂行办法, Art. 25–28, R):

    - a report is handled by the bureau of the place where the reported act occurred
      (Art. 25); for goods found in a shop or market that is the district of the shop;
    - for online sales the seller is reported where it actually does business (实际经营地,
      Art. 26), not where the buyer sat: the reporter gives the seller's district, which the
      shop's licence information (亮照) shows;
    - when the reporter does not know the district, or names none of the city's districts,
      the city bureau receives the report; it may handle it itself or send it to the district
      (Art. 28 and the ``transfer_jurisdiction`` action).

    ``online`` changes which place the district means, not the lookup: the form and API ask
    for "the district of the act, or of the seller's business for an online shop".
    """
    unit = db.session.scalar(
        select(OrgUnit).where(OrgUnit.kind == UnitKind.bureau, OrgUnit.active.is_(True),
                              OrgUnit.district == district).order_by(OrgUnit.id).limit(1))
    if unit is None or district == CITY:
        unit = db.session.scalar(
            select(OrgUnit).where(OrgUnit.kind == UnitKind.bureau, OrgUnit.parent_id.is_(None),
                                  OrgUnit.active.is_(True)).order_by(OrgUnit.id).limit(1))
    return unit
