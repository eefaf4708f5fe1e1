"""What each action does to the case file beyond its state change, clocks and documents.

Each effect takes ``(ctx)`` — the case, actor, validated data, event and issued documents — and
only adds or changes rows; the service that called it owns the transaction.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.attributes import set_committed_value

from enforcement.auth.models import User
from enforcement.cases.facts import credentialed_inspectors, measure_for
from enforcement.cases.models import CaseGoods, case_inspectors
from enforcement.clocks import services as clocks
from enforcement.clocks.kinds import CLOCK_KINDS
from enforcement.clocks.models import ClockEventKind, ClockStatus
from enforcement.db import local_today, utcnow
from enforcement.documents import context as document_context
from enforcement.documents import services as documents
from enforcement.documents.models import Document
from enforcement.errors import Invalid
from enforcement.evidence import services as evidence_services
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit, UnitKind
from enforcement.referrals import records as referral_records
from enforcement.referrals.models import Referral, ReferralKind
from enforcement.rules import assessment
from workflows.definition import ACTIONS_BY_NAME
from workflows.spec import N_


@dataclass
class EffectContext:
    case: object
    actor: User
    data: dict
    event: object
    documents: dict[str, Document] = field(default_factory=dict)
    #: uploaded files of ``files`` fields, by field name
    uploads: dict[str, list] = field(default_factory=dict)


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def assign(ctx):
    """The team: users from the form's choices, read once in this transaction
    (facts.credentialed_inspectors), so neither they nor their roles are read again. A
    registered case has no team yet — only this action makes one, and it leaves
    ``registered`` — so the rows are inserted without reading an old team first."""
    chosen = set(ctx.data["inspectors"])
    team = [u for u in credentialed_inspectors(ctx.case.unit_id) if u.id in chosen]
    if len(team) != len(chosen):  # the form allows only these; a change since is refused
        raise Invalid({"inspectors": [_("所选人员已不具备办案资格，请重新选择")]})
    if "inspectors" in sa_inspect(ctx.case).unloaded:
        db.session.execute(insert(case_inspectors),
                           [{"case_id": ctx.case.id, "user_id": u.id} for u in team])
        set_committed_value(ctx.case, "inspectors", team)
    else:
        ctx.case.inspectors = team


def record_evidence(ctx):
    stored = [evidence_services.store(ctx.case, upload, actor=ctx.actor,
                                      description=ctx.data.get("title") or "")
              for upload in ctx.uploads.get("files", [])]
    # the event records what was stored, with the hashes taken at upload
    ctx.event.data = {**ctx.data, "files": [
        {"id": e.id, "name": e.original_name, "size": e.size, "sha256": e.sha256}
        for e in stored]}


def _store_files(ctx, name: str, description: str) -> None:
    stored = [evidence_services.store(ctx.case, upload, actor=ctx.actor, description=description)
              for upload in ctx.uploads.get(name, [])]
    ctx.event.data = {**ctx.data, name: [
        {"id": e.id, "name": e.original_name, "size": e.size, "sha256": e.sha256}
        for e in stored]}


def request_identification(ctx):
    # the photos go to the rights holder with the request (see notifications.holder)
    _store_files(ctx, "photos", N_("待辨认商品照片"))


def record_identification(ctx):
    _store_files(ctx, "files", N_("权利人辨认/鉴别材料"))


def record_mediation(ctx):
    if ctx.data["outcome"] == "agreed" and ctx.data.get("agreed_amount") is None:
        raise Invalid({"agreed_amount": [_("达成调解协议的，请填写调解赔偿数额")]})


def propose_filing(ctx):
    ctx.case.cause = ctx.data["cause"]


def approve_filing(ctx):
    case = ctx.case
    case.case_no = ctx.documents["filing_approval"].number
    case.filed_at = utcnow()
    case.is_major = bool(ctx.data.get("is_major"))


def compute_business_volume(ctx):
    """违法经营额 (Regulations Art. 78): the system computes it from the worksheet's lines and
    records the computation beside them; the result feeds the fine cap and criminal alerts."""
    case = ctx.case
    sheet = assessment.worksheet(ctx.data["lines"])
    case.business_volume = sheet.amount
    with force_locale("zh"):  # the case file is in Chinese whatever the UI language
        computation = [_("%(name)s %(status)s %(quantity)s%(unit)s × %(price)s 元（%(basis)s）"
                         "= %(value)s 元", name=line.name,
                         status=_(_column_label("status", line.status)),
                         quantity=format(line.quantity.normalize(), "f"), unit=line.unit,
                         price=line.price,
                         basis=_(_column_label("price_basis", line.price_basis)),
                         value=line.value)
                       for line in sheet.lines]
    db.session.flush()
    today = local_today()
    alerts = [a.crime for a in assessment.criminal_alerts(
        case, today, assessment.repeat_flags(case, today)) if a.reached]
    ctx.event.data = {**ctx.data, "amount": str(sheet.amount), "sold": str(sheet.sold),
                      "unsold": str(sheet.unsold), "methods": sheet.methods,
                      "computation": computation, "criminal_alerts": alerts}


def _column_label(column: str, value) -> str:
    spec = ACTIONS_BY_NAME["compute_business_volume"].field("lines")
    choices = next(c for c in spec.columns if c.name == column).choices
    return next(label for v, label in choices if v == value)


def impose_measure(ctx):
    # the seized goods join the case's goods (no price: they are valued on the worksheet)
    for row in ctx.data["goods"]:
        name = f"{row['name']}（{row['spec']}）" if row.get("spec") else row["name"]
        ctx.case.goods.append(CaseGoods(name=name[:120], quantity=Decimal(row["quantity"]),
                                        unit=row["unit"], sold=False))


def extend_measure(ctx):
    # the chosen measure's clock, not the latest one (clocks.extend takes the latest open)
    clock = measure_for(ctx.case, ctx.data["measure_document"]).clock
    before = clock.due_on
    clock.extended += CLOCK_KINDS["seizure"].extension
    clock.extensions += 1
    clocks.compute(clock)
    if clock.status is ClockStatus.overdue and not clocks.is_past_due(clock, local_today()):
        clock.status = ClockStatus.running
    clocks._record(clock, ClockEventKind.extend, clocks.cause_of(ctx.case), due_before=before)


def release_measure(ctx):
    clock = measure_for(ctx.case, ctx.data["measure_document"]).clock
    clocks._close(clock, ClockStatus.met, ClockEventKind.stop, clocks.cause_of(ctx.case))


def _applied_rules(ctx):
    # the rule versions a decision applied stay with it; changing a rule never changes a
    # decided case (DESIGN §4)
    assessment.record(ctx.case, ctx.event, local_today())


def decide_penalty(ctx):
    case = ctx.case
    case.fine_amount = _money(ctx.data.get("fine"))
    case.confiscation_amount = _money(ctx.data.get("confiscation"))
    case.decided_at = utcnow()
    _applied_rules(ctx)


def decide_no_penalty(ctx):
    ctx.case.decided_at = utcnow()
    if ctx.data["ground"] == "seller_exemption":
        _refer_supplier(ctx)


def _refer_supplier(ctx):
    """The supplier a seller named goes to the bureau where it is, with a 案件线索移送函; a
    bureau of the city gets it as a registered case (商标法 Art. 60 ¶2)."""
    from enforcement.referrals.leads import refer_supplier

    letter = documents.issue(ctx.case, "supplier_referral_letter", actor=ctx.actor,
                             event=ctx.event, year=local_today().year,
                             data=document_data(ctx, "supplier_referral_letter"))
    ctx.documents["supplier_referral_letter"] = letter
    refer_supplier(ctx.case, ctx.data, letter, ctx.actor)


def reschedule_hearing(ctx):
    # the earlier notices not yet served give way to the new one (APL Art. 64 ¶1 (二))
    new = ctx.documents["hearing_notice"]
    for old in db.session.scalars(select(Document).where(
            Document.case_id == ctx.case.id, Document.doc_type == "hearing_notice",
            Document.id != new.id, Document.served_at.is_(None),
            Document.revoked_at.is_(None))):
        old.revoked_at, old.revoked_by_id = utcnow(), ctx.actor.id
        with force_locale("zh"):
            old.revoked_reason = _("听证改期，以 %(number)s 为准", number=new.number)


def record_service(ctx):
    document = db.session.get(Document, ctx.data["document"])
    served_on = date.fromisoformat(ctx.data["served_on"])
    document.served_at, document.served_on = utcnow(), served_on
    clocks.on_service(ctx.case, document.doc_type, served_on)


def record_payment(ctx):
    case = ctx.case
    # the surcharge owed on the day of payment is recorded with it (APL Art. 72)
    owed = assessment.case_surcharge(case, date.fromisoformat(ctx.data["paid_on"]))
    ctx.event.data = {**ctx.data, "overdue_days": owed.days,
                      "surcharge_due": str(owed.amount), "surcharge_capped": owed.capped}
    case.paid_amount = (case.paid_amount or Decimal(0)) + Decimal(ctx.data["amount"])
    due = (case.fine_amount or 0) + (case.confiscation_amount or 0) - case.paid_amount
    if due <= 0:
        clocks.stop(case, "payment")
        clocks.stop(case, "court_application")  # nothing left to enforce


def _procuratorate_for(unit: OrgUnit) -> OrgUnit | None:
    # the transfer is copied to the procuratorate of the same level (Decree 310 Art. 7)
    return db.session.scalar(select(OrgUnit).where(
        OrgUnit.kind == UnitKind.procuratorate, OrgUnit.district == unit.district))


def approve_transfer(ctx):
    police = db.session.get(OrgUnit, ctx.data["police_unit"])
    copy = _procuratorate_for(police)
    db.session.add(Referral(case_id=ctx.case.id, kind=ReferralKind.police, unit_id=police.id,
                            copy_unit_id=copy.id if copy else None))


def apply_court_enforcement(ctx):
    db.session.add(Referral(case_id=ctx.case.id, kind=ReferralKind.court,
                            unit_id=ctx.data["court"]))


def publish(ctx):
    # the public entry and its redacted PDF are made in the publishing transaction
    from enforcement.publicity.services import create_entry

    _applied_rules(ctx)
    create_entry(ctx)


def withdraw_publication(ctx):
    from enforcement.publicity.services import withdraw_entries

    withdraw_entries(ctx.case, ctx.actor, ctx.data["reason"])


def close(ctx):
    ctx.case.closed_at = utcnow()


EFFECTS = {fn.__name__: fn for fn in (
    assign, record_evidence, propose_filing, approve_filing, compute_business_volume,
    impose_measure, extend_measure, release_measure, reschedule_hearing,
    request_identification, record_identification, record_mediation,
    decide_penalty, decide_no_penalty, record_service, record_payment, approve_transfer,
    apply_court_enforcement, publish, withdraw_publication, close,
)} | {name: _applied_rules for name in ("finish_investigation", "pass_review")} \
    | referral_records.EFFECTS  # what the police and the court record on the referral


def document_data(ctx, code: str) -> dict:
    """The plain data a document is rendered from: the case file and the action's fields."""
    source = document_context.Source(case=ctx.case, fields=ctx.data, actor=ctx.actor,
                                     today=local_today(), event=ctx.event,
                                     documents=dict(ctx.documents))
    return document_context.build(code, source)
