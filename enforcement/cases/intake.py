"""Registering a case (登记): the one way a case comes into being."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from enforcement.audit import services as audit
from enforcement.cases.models import Case, CaseGoods, CaseMark, CaseParty, CaseSource
from enforcement.clocks import services as clocks
from enforcement.db import local_today
from enforcement.errors import Refused
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.parties.models import Party, PartyKind
from workflows.engine import Refusal
from workflows.spec import N_
from workflows.states import CaseState


@dataclass
class PartyData:
    kind: PartyKind
    name: str
    credit_code: str | None = None
    id_number: str | None = None
    address: str | None = None
    phone: str | None = None
    shop_url: str | None = None


@dataclass
class GoodsData:
    name: str
    quantity: str | None = None
    unit: str = ""
    unit_price: str | None = None
    sold: bool = False


@dataclass
class CaseData:
    cause: str
    summary: str
    district: str
    source: CaseSource = CaseSource.inspection
    occurred_on: date | None = None
    occurred_place: str = ""
    online_shop: str | None = None
    parties: list[PartyData] = field(default_factory=list)
    #: registration numbers of infringed marks
    mark_numbers: list[str] = field(default_factory=list)
    goods: list[GoodsData] = field(default_factory=list)
    reporter_name: str | None = None
    reporter_contact: str | None = None
    reporter_user_id: int | None = None
    filed_by_unit_id: int | None = None


def find_or_create_party(data: PartyData) -> Party:
    """The same party across cases: by credit code or ID number first, then by name."""
    identifiers = [c for c in (
        Party.credit_code == data.credit_code if data.credit_code else None,
        Party.id_number == data.id_number if data.id_number else None,
    ) if c is not None]
    if identifiers:
        party = db.session.scalar(select(Party).where(or_(*identifiers)).limit(1))
    else:
        party = db.session.scalar(select(Party).where(
            Party.name == data.name.strip(), Party.address == data.address).limit(1))
    if party is None:
        party = Party(kind=data.kind, name=data.name.strip(), credit_code=data.credit_code,
                      id_number=data.id_number, address=data.address, phone=data.phone,
                      shop_url=data.shop_url)
        db.session.add(party)
    return party


def next_report_no(unit, year: int) -> str:
    from enforcement.documents.services import next_number

    number = next_number(unit, "举", "report", year)
    seq = number.split("〕")[1].removesuffix("号")
    return f"JB{year}{unit.id:03d}{int(seq):05d}"


def register_case(actor, unit, data: CaseData, *, ip=None) -> Case:
    """Register a lead or report in ``unit``; its verification clock starts (Order 42 Art. 18)."""
    if not (actor.can("case.create") and actor.unit_id == unit.id):
        raise Refused([Refusal("permission", N_("您没有进行此操作的权限"))])
    today = local_today()
    case = Case(report_no=next_report_no(unit, today.year), state=CaseState.registered,
                unit_id=unit.id, source=data.source, cause=data.cause, summary=data.summary,
                district=data.district, occurred_on=data.occurred_on,
                occurred_place=data.occurred_place, online_shop=data.online_shop,
                reporter_name=data.reporter_name, reporter_contact=data.reporter_contact,
                reporter_user_id=data.reporter_user_id, filed_by_unit_id=data.filed_by_unit_id,
                created_by_id=actor.id)
    case.unit = unit
    for party_data in data.parties:
        case.parties.append(CaseParty(party=find_or_create_party(party_data)))
    for reg_no in data.mark_numbers:
        mark = db.session.scalar(select(Trademark).where(Trademark.reg_no == reg_no))
        case.marks.append(CaseMark(trademark=mark, reg_no=reg_no,
                                   name=mark.name if mark else reg_no))
    for goods in data.goods:
        case.goods.append(CaseGoods(name=goods.name, quantity=goods.quantity, unit=goods.unit,
                                    unit_price=goods.unit_price, sold=goods.sold))
    db.session.add(case)
    db.session.flush()
    clocks.start(case, "verification", today)
    audit.record("case.register", actor=actor, obj_type="case", obj_id=case.id,
                 unit_id=unit.id, ip=ip, report_no=case.report_no)
    db.session.commit()
    return case


__all__ = ["CaseData", "GoodsData", "PartyData", "register_case"]
