"""Supplier leads (案件线索移送): a seller's supplier sent to the bureau where it is."""
from sqlalchemy import select

from enforcement.cases.intake import CaseData, PartyData, create_registered
from enforcement.cases.models import CaseSource
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.parties.models import PartyKind
from enforcement.referrals.models import SupplierLead


def refer_supplier(case, data: dict, letter, actor) -> SupplierLead:
    """Record the lead and, for a bureau of the city, register it there as a case (flushes).

    ``data`` is the decide_no_penalty form: supplier_name, supplier_credit_code,
    supplier_address, supplier_unit (0: outside the city) and supplier_region.
    """
    unit = db.session.get(OrgUnit, data["supplier_unit"]) if data.get("supplier_unit") else None
    lead = SupplierLead(case_id=case.id, name=data["supplier_name"],
                        credit_code=data.get("supplier_credit_code") or None,
                        address=data["supplier_address"],
                        region=data.get("supplier_region") or "",
                        unit_id=unit.id if unit else None, letter_id=letter.id)
    db.session.add(lead)
    if unit is not None:
        lead.lead_case_id = _register(case, unit, lead, letter, actor).id
    db.session.flush()
    return lead


def _register(case, unit, lead, letter, actor):
    mark = case.marks[0].name if case.marks else ""
    data = CaseData(
        cause=f"涉嫌提供侵犯“{mark}”注册商标专用权的商品" if mark else
        "涉嫌提供侵犯注册商标专用权的商品",
        summary=f"{case.unit.name}移送线索（{letter.number}）：{case.number}一案的当事人"
                f"说明其销售的商品由{lead.name}提供。",
        district=unit.district, source=CaseSource.handed_over, occurred_place=lead.address,
        parties=[PartyData(PartyKind.organisation, lead.name, credit_code=lead.credit_code,
                           address=lead.address)],
        mark_numbers=[m.reg_no for m in case.marks])
    return create_registered(unit, data, created_by=actor)


def leads_of(case) -> list[SupplierLead]:
    return list(db.session.scalars(select(SupplierLead).where(SupplierLead.case_id == case.id)
                                   .order_by(SupplierLead.id)))
