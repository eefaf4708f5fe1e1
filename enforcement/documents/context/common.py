"""The parts every document's data is made of: issuer, case, parties, marks, goods, history.

Everything returned is plain JSON-safe data (str, int, bool, None, lists and dicts; dates as
ISO strings, amounts as decimal strings): it is stored on the document and rendered as is.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from enforcement.cases.models import SOURCE_LABELS
from enforcement.db import local_date
from enforcement.documents.bidi import isolate
from enforcement.documents.chinese import date_text
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.marks.models import MARK_TYPE_LABELS
from enforcement.orgs.models import OrgUnit, UnitKind
from enforcement.parties.models import PARTY_KIND_LABELS, PartyKind


@dataclass
class Source:
    """What a document is made from: the case file, the issuing action and its fields."""

    case: object
    #: the issuing action's validated fields (an event's data)
    fields: dict
    actor: object
    today: date
    #: the issuing event; None for documents made outside an action (report forms)
    event: object = None
    #: documents issued earlier by the same action, by type
    documents: dict = field(default_factory=dict)


def iso(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo"):  # a stored UTC moment: its Chinese calendar day
        return local_date(value).isoformat()
    return value.isoformat()


def amount(value) -> str | None:
    return None if value in (None, "") else str(Decimal(str(value)).quantize(Decimal("0.01")))


def review_organ(unit: OrgUnit) -> str:
    """Where a bureau's acts are reviewed: the people's government of its level, also for a
    branch (派出机构) acting in its own name (行政复议法 2023 Art. 24 ¶1(1), (3))."""
    head = unit.name.partition("市场监督管理局")[0]
    return f"{head}人民政府"


def issuer(unit: OrgUnit) -> dict:
    return {"name": unit.name, "short_name": unit.short_name, "review_organ": review_organ(unit)}


def party(p) -> dict:
    person = p.kind is PartyKind.person
    return {
        "name": p.name, "is_person": person, "kind_label": str(PARTY_KIND_LABELS[p.kind]),
        "credit_code": p.credit_code, "id_number": p.id_number,
        "legal_representative": p.legal_representative, "address": p.address,
        "phone": p.phone, "shop_url": p.shop_url, "seller_account": p.seller_account,
    }


def case_block(case) -> dict:
    cause = case.cause or ""
    return {
        "report_no": case.report_no, "case_no": case.case_no, "cause": cause,
        # the act itself, as a decision names it once established: without "涉嫌"
        "act": cause.removeprefix("涉嫌"),
        "summary": case.summary, "source_label": str(SOURCE_LABELS[case.source]),
        "occurred_on": iso(case.occurred_on), "occurred_place": case.occurred_place,
        "online_shop": case.online_shop, "registered_on": iso(case.created_at),
        "filed_on": iso(case.filed_at), "is_major": case.is_major,
        "business_volume": amount(case.business_volume),
        "reporter_name": case.reporter_name, "reporter_contact": case.reporter_contact,
    }


def marks(case) -> list[dict]:
    rows = []
    for m in case.marks:
        mark = m.trademark
        rows.append({"reg_no": m.reg_no, "name": m.name,
                     "type_label": str(MARK_TYPE_LABELS[mark.mark_type]) if mark else None,
                     "owner": mark.owner_name if mark else None,
                     "classes": list(mark.nice_classes) if mark else [],
                     "goods": mark.goods if mark else None})
    return rows


def goods(case) -> list[dict]:
    return [{"name": g.name, "unit": g.unit,
             "quantity": None if g.quantity is None else format(g.quantity.normalize(), "f"),
             "unit_price": amount(g.unit_price), "sold": g.sold} for g in case.goods]


def people(users) -> list[dict]:
    return [{"name": u.full_name, "credential_no": u.credential_no} for u in users]


def events(case, action: str) -> list:
    return [e for e in case.events if e.action == action]


def last_event(case, action: str):
    found = events(case, action)
    return found[-1] if found else None


def event_day(event) -> str | None:
    return iso(event.at) if event is not None else None


def unit_name(unit_id) -> str | None:
    unit = db.session.get(OrgUnit, unit_id) if unit_id else None
    return unit.name if unit else None


def procuratorate_for(unit_id) -> str | None:
    # a transfer is copied to the procuratorate of the same level (Decree 310 Art. 7)
    unit = db.session.get(OrgUnit, unit_id)
    copy = db.session.scalar(select(OrgUnit).where(
        OrgUnit.kind == UnitKind.procuratorate, OrgUnit.district == unit.district))
    return copy.name if copy else None


def document_ref(document: Document | None) -> dict | None:
    if document is None:
        return None
    return {"title": document.title, "number": document.number,
            "issued_on": iso(document.issued_at), "served_on": iso(document.served_on)}


def latest_document(case, doc_type: str) -> Document | None:
    """The case's document of a type in force (not revoked), the newest first."""
    return db.session.scalar(select(Document).where(
        Document.case_id == case.id, Document.doc_type == doc_type,
        Document.revoked_at.is_(None)).order_by(Document.id.desc()).limit(1))


def evidence_items(case) -> list[str]:
    """The evidence the file holds, as a decision lists it (APL Art. 59 ¶1(2)). Each user
    value in an item is a bidi isolate of its own, like every value a template writes."""
    items = []
    for e in case.events:
        d, day = e.data, date_text(event_day(e))
        if e.action == "record_inspection":
            items.append(f"{day}制作的现场笔录（检查地点：{isolate(d.get('place'))}）")
        elif e.action == "record_inquiry":
            items.append(f"{day}对{isolate(d.get('person'))}制作的询问笔录")
        elif e.action == "record_sampling":
            items.append(f"{day}抽样记录（{isolate(d.get('goods'))}，"
                         f"{isolate(d.get('quantity'))}）")
        elif e.action == "record_evidence":
            text = isolate(d.get("title") or "")
            items.append(f"{text}（{isolate(d['description'])}）" if d.get("description")
                         else text)
        elif e.action == "record_identification":
            items.append(f"{day}商标权利人出具的辨认/鉴别意见")
        elif e.action == "compute_business_volume":
            items.append("违法经营额计算材料")
        elif e.action == "impose_measure":
            items.append(f"{day}实施查封、扣押的财物清单")
    return items


def choice_label(options, value) -> str | None:
    """The label of a workflow choice; labels are the Chinese texts themselves (msgids)."""
    return next((label for v, label in options if v == value), None)
