"""Criminal transfer documents (文书 5: 移送书, with the 调查报告 and 涉案物品清单)."""
from enforcement.documents.context import common
from enforcement.documents.context.investigation import _label, _lines


def _proposal(case) -> dict:
    event = common.last_event(case, "propose_transfer")
    data = event.data if event else {}
    return {"crime": _label("propose_transfer", "suspected_crime", data.get("suspected_crime")),
            "report": data.get("report"), "goods_list": data.get("goods_list"),
            "on": common.event_day(event),
            "by": event.actor.full_name if event and event.actor else None}


def transfer_letter(src) -> dict:
    police = src.fields.get("police_unit")
    return {"addressee": common.unit_name(police), "copy_to": common.procuratorate_for(police),
            "transfer": _proposal(src.case), "opinion": src.fields.get("opinion")}


def transfer_report(src) -> dict:
    case = src.case
    return {"transfer": _proposal(case), "evidence": common.evidence_items(case),
            "filing": common.document_ref(common.latest_document(case, "filing_approval")),
            "letter": common.document_ref(src.documents.get("transfer_letter"))}


def seized_goods_list(src) -> dict:
    proposal = _proposal(src.case)
    return {"items": _lines(proposal["goods_list"]),
            "letter": common.document_ref(src.documents.get("transfer_letter"))}


BUILDERS = {fn.__name__: fn for fn in (transfer_letter, transfer_report, seized_goods_list)}
