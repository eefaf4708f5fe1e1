"""Reading rendered documents back, and issuing every document type from the demo data."""
import io
import re
import subprocess

from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from enforcement.cases import services
from enforcement.db import local_today
from enforcement.documents.models import Document
from enforcement.extensions import db
from tests.conftest import case_in_state, user

#: lines of every page that are not the document's running text
_FURNITURE = re.compile(r"核验码|扫码核验|^—\s*\d+\s*—$")


def pdf_text(pdf: bytes) -> str:
    """The running text of a PDF (pdftotext), without page furniture and without whitespace,
    so that a phrase broken across lines still matches."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode()
    lines = [line for line in out.splitlines() if not _FURNITURE.search(line.strip())]
    return re.sub(r"\s+", "", "".join(lines))


def footer_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode()
    return "\n".join(line for line in out.splitlines() if "核验码" in line)


def fonts(pdf: bytes) -> list[dict]:
    """Every font of every page: its name and whether its program is embedded."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = {"name": str(font["/BaseFont"]),
                                             "embedded": embedded}
    return list(found.values())


def act(case_id, action, username, **fields) -> list[Document]:
    """Take an action through the service, as the web UI and the API do."""
    from enforcement.cases.models import Case

    items = []
    for key, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            items.append((key, str(v)))
    case = db.session.get(Case, case_id)
    outcome = services.perform(case_id, action, user(username), MultiDict(items),
                               expected_version=case.version)
    return outcome.documents


def latest(doc_type: str, case_id=None) -> Document | None:
    query = select(Document).where(Document.doc_type == doc_type)
    if case_id is not None:
        query = query.where(Document.case_id == case_id)
    return db.session.scalar(query.order_by(Document.id.desc()).limit(1))


def _unit_id(code: str) -> int:
    from enforcement.orgs.models import OrgUnit

    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def _hearing_held(**fields):
    """The demo hearing: its notice served today, held on its day (APL Art. 64)."""
    from datetime import date

    from enforcement.db import acting_as_of

    case = case_in_state("hearing")
    notice = latest("hearing_notice", case.id)
    act(case.id, "record_service", "linhe_inspector1", document=notice.id, method="direct",
        served_on=TODAY().isoformat(), recipient="当事人")
    hearing_on = next(e for e in reversed(case.events)
                      if e.action == "request_hearing").data["hearing_on"]
    with acting_as_of(date.fromisoformat(hearing_on)):
        return act(case.id, "conclude_hearing", "linhe_reviewer", **fields)


def _investigating(action, **fields):
    case = case_in_state("investigating")
    return act(case.id, action, "linhe_inspector1", **fields)


def _report_document(code, state="verifying"):
    from enforcement.documents.services import issue_for_case

    case = case_in_state(state)
    document = issue_for_case(case, code, user("linhe_unit_head"))
    db.session.commit()
    return [document]


TODAY = local_today


#: how to get a document of each type that the demo seed does not issue
MAKERS = {
    "identification_notice": lambda: _investigating(
        "request_identification", items="涉案“河套”雪花粉外包装袋及标识二十个",
        reply_by=TODAY().isoformat()),
    "inquiry_record": lambda: _investigating(
        "record_inquiry", person="王某某（店主）", held_on=TODAY().isoformat(),
        place="临河区市场监督管理局询问室",
        content="问：涉案面粉从何处购进？\n答：从外地流动商贩处购进，无票据。"),
    "sampling_record": lambda: _investigating(
        "record_sampling", goods="“河套”雪花粉", quantity="2袋", held_on=TODAY().isoformat(),
        spec="25公斤/袋", base_quantity="18袋"),
    "coercive_measure_decision": lambda: _investigating(
        "impose_measure", measure="seize", place="临河区某粮油店",
        **{"goods-0-name": "“河套”雪花粉", "goods-0-spec": "25公斤装", "goods-0-quantity": "18",
           "goods-0-unit": "袋", "goods-0-location": "本局涉案物品仓库",
           "goods-1-name": "外包装袋", "goods-1-quantity": "40", "goods-1-unit": "个"},
        legal_basis="《中华人民共和国商标法》第六十二条第一款第（四）项"),
    "correction_order": lambda: _investigating(
        "order_correction", violation="销售侵犯“河套”注册商标专用权的面粉",
        correct_by=TODAY().isoformat(), legal_basis="《中华人民共和国商标法》第五十七条第（三）项"),
    "hearing_record": lambda: _hearing_held(
        record="调查人员陈述了违法事实、证据和处罚建议；当事人进行了申辩。",
        report="当事人申辩理由不能成立，建议维持原处罚意见。"),
    "no_penalty_decision": lambda: act(
        case_in_state("decision_review").id, "decide_no_penalty", "linhe_head",
        ground="seller_exemption", facts="当事人能证明该商品系自己合法取得并说明提供者。",
        legal_basis="《中华人民共和国商标法》第六十条第二款",
        supplier_name="五原县某粮油批发部", supplier_address="五原县隆兴昌镇建设路8号",
        supplier_unit=_unit_id("wuyuan_amr")),
    "report_form": lambda: _report_document("report_form"),
    "report_receipt": lambda: _report_document("report_receipt"),
    "report_result_notice": lambda: _report_document("report_result_notice", "investigating"),
}
MAKERS["property_list"] = MAKERS["coercive_measure_decision"]
MAKERS["supplier_referral_letter"] = MAKERS["no_penalty_decision"]
MAKERS["hearing_report"] = MAKERS["hearing_record"]


def document_of_type(doc_type: str) -> Document:
    """A document of the type issued from the demo data: by the seed, or by its action now."""
    found = db.session.scalar(select(Document).where(Document.doc_type == doc_type)
                              .order_by(Document.id).limit(1))
    if found is None:
        issued = MAKERS[doc_type]()
        found = next(d for d in issued if d.doc_type == doc_type)
        db.session.expire_all()
        found = db.session.get(Document, found.id)
    # a deferred type (report documents) gets its PDF after the issue: make it now
    from enforcement.documents.services import ensure_rendered

    return ensure_rendered(found)
