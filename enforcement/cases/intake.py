"""Registering a case (登记): the one way a case comes into being."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from enforcement.audit import services as audit
from enforcement.cases.models import Case, CaseGoods, CaseMark, CaseParty, CaseSource
from enforcement.clocks import services as clocks
from enforcement.db import local_today
from enforcement.errors import Invalid, Refused
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.parties import identity
from enforcement.parties.identifiers import (
    credit_code_error,
    id_number_error,
    mark_reg_no_valid,
    normalise,
    phone_error,
)
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
    seller_account: str | None = None


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
    """The same party across cases (DESIGN §4): by credit code or ID number first, then by
    normalised name and address, shop URL or seller account; a party found is completed with
    what it lacked, never overwritten."""
    particulars = {"credit_code": data.credit_code, "id_number": data.id_number,
                   "address": data.address, "shop_url": data.shop_url,
                   "seller_account": data.seller_account}
    party = identity.find_same(data.name, **particulars)
    if party is not None:
        identity.enrich(party, phone=data.phone, **particulars)
        return party
    party = Party(kind=data.kind, name=data.name.strip(),
                  credit_code=normalise(data.credit_code) if data.credit_code else None,
                  id_number=normalise(data.id_number) if data.id_number else None,
                  address=data.address, phone=data.phone, shop_url=data.shop_url,
                  seller_account=data.seller_account)
    identity.set_keys(party)
    db.session.add(party)
    db.session.flush()  # the next party of the same case may be this one again
    return party


def party_errors(data: CaseData) -> dict[str, str]:
    """What is wrong with the parties and marks as entered, by form field name
    (``parties-0-credit_code``), in words the clerk can act on."""
    errors = {}
    checks = (("credit_code", credit_code_error), ("id_number", id_number_error),
              ("phone", phone_error))
    for i, party in enumerate(data.parties):
        if not party.name or not party.name.strip():
            errors[f"parties-{i}-name"] = _("请填写当事人名称或姓名")
        for name, check in checks:
            value = getattr(party, name)
            if value and (message := check(value)):
                errors[f"parties-{i}-{name}"] = message
    for i, reg_no in enumerate(data.mark_numbers):
        if not mark_reg_no_valid(reg_no):
            errors[f"mark_numbers-{i}"] = _("商标注册号应为数字")
    return errors


def next_report_no(unit, year: int) -> str:
    """The case's 登记编号, JB + year + unit + sequence (gapless, per unit and year); a portal
    report has its own tracking number besides (reports.services.new_tracking_no)."""
    from enforcement.documents.numbering import allocate

    return f"JB{year}{unit.id:03d}{allocate(unit.id, 'report', year):05d}"


def register_case(actor, unit, data: CaseData, *, ip=None) -> Case:
    """Register a lead or report in ``unit``; its verification clock starts (Order 42 Art. 18)."""
    if not (actor.can("case.create") and actor.unit_id == unit.id):
        raise Refused([Refusal("permission", N_("您没有进行此操作的权限"))])
    case = create_registered(unit, data, created_by=actor, ip=ip)
    db.session.commit()
    return case


def create_registered(unit, data: CaseData, *, created_by=None, ip=None,
                      received_on: date | None = None) -> Case:
    """The shared path of staff registration and public filing (flushes, never commits).

    ``created_by`` is the registering staff member, or None for a report filed through the
    portal (the portal registers it; the report row records who submitted it). The caller
    checks who may register and owns the transaction. ``received_on`` is the day a report
    was received, from which its verification clock counts (today by default).
    """
    errors = party_errors(data)
    if errors:
        raise Invalid({name: [message] for name, message in errors.items()})
    today = received_on or local_today()
    actor_id = created_by.id if created_by is not None else None
    case = Case(report_no=next_report_no(unit, today.year),
                state=CaseState.registered,
                unit_id=unit.id, source=data.source, cause=data.cause, summary=data.summary,
                district=data.district, occurred_on=data.occurred_on,
                occurred_place=data.occurred_place, online_shop=data.online_shop,
                reporter_name=data.reporter_name, reporter_contact=data.reporter_contact,
                reporter_user_id=data.reporter_user_id, filed_by_unit_id=data.filed_by_unit_id,
                created_by_id=actor_id)
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
    clocks.start(case, "verification", today,
                 cause=clocks.Cause(reason=N_("登记案件线索"), actor_id=actor_id))
    audit.record("case.register", actor=created_by, obj_type="case", obj_id=case.id,
                 unit_id=unit.id, ip=ip, report_no=case.report_no)
    return case


__all__ = ["CaseData", "GoodsData", "PartyData", "create_registered", "party_errors",
           "register_case"]
