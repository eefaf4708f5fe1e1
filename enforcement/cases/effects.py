"""What each action does to the case file beyond its state change, clocks and documents.

Each effect takes ``(ctx)`` — the case, actor, validated data, event and issued documents — and
only adds or changes rows; the service that called it owns the transaction.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from enforcement.auth.models import User
from enforcement.cases.scope import current_referral
from enforcement.clocks import services as clocks
from enforcement.db import local_today, utcnow
from enforcement.documents import context as document_context
from enforcement.documents.models import Document
from enforcement.evidence import services as evidence_services
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit, UnitKind
from enforcement.outbox.models import OutboxMessage
from enforcement.referrals.models import Referral, ReferralKind
from enforcement.rules import assessment
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
    ctx.case.inspectors = list(db.session.scalars(
        select(User).where(User.id.in_(ctx.data["inspectors"])).order_by(User.id)))


def record_evidence(ctx):
    stored = [evidence_services.store(ctx.case, upload, actor=ctx.actor,
                                      description=ctx.data.get("title") or "")
              for upload in ctx.uploads.get("files", [])]
    # the event records what was stored, with the hashes taken at upload
    ctx.event.data = {**ctx.data, "files": [
        {"id": e.id, "name": e.original_name, "size": e.size, "sha256": e.sha256}
        for e in stored]}


def propose_filing(ctx):
    ctx.case.cause = ctx.data["cause"]


def _tell_reporter(case, outcome: str):
    # a named reporter is told the outcome within 5 working days (投诉举报办法 Art. 31);
    # the message is in Chinese whatever the officer's UI language
    if case.reporter_is_named:
        with force_locale("zh"):
            subject = _("举报处理结果告知")
            body = _("您提交的举报（登记编号 %(no)s）：%(outcome)s。", no=case.report_no,
                     outcome=_(outcome))
        channel = "portal" if case.reporter_user_id else "sms"
        db.session.add(OutboxMessage(
            case_id=case.id, channel=channel,
            recipient=case.reporter_contact or f"user:{case.reporter_user_id}",
            subject=subject, body=body))
        if channel == "portal":
            clocks.stop(case, "inform_reporter")  # a notice on the portal counts as telling


def approve_filing(ctx):
    case = ctx.case
    case.case_no = ctx.documents["filing_approval"].number
    case.filed_at = utcnow()
    case.is_major = bool(ctx.data.get("is_major"))
    _tell_reporter(case, N_("已立案调查"))


def reject_filing(ctx):
    _tell_reporter(ctx.case, N_("经核查，决定不予立案"))


def compute_business_volume(ctx):
    ctx.case.business_volume = _money(ctx.data["amount"])


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


def record_service(ctx):
    document = db.session.get(Document, ctx.data["document"])
    served_on = date.fromisoformat(ctx.data["served_on"])
    document.served_at, document.served_on = utcnow(), served_on
    clocks.on_service(ctx.case, document.doc_type, served_on)


def record_payment(ctx):
    case = ctx.case
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


def forward_transfer(ctx):
    referral = current_referral(ctx.case, ReferralKind.police)
    police = db.session.get(OrgUnit, ctx.data["police_unit"])
    db.session.add(Referral(case_id=ctx.case.id, kind=ReferralKind.police, unit_id=police.id,
                            copy_unit_id=referral.copy_unit_id))


def acknowledge_transfer(ctx):
    current_referral(ctx.case, ReferralKind.police).acknowledged_at = utcnow()


def accept_transfer(ctx):
    current_referral(ctx.case, ReferralKind.police).receiver_case_no = ctx.data["police_case_no"]


def apply_court_enforcement(ctx):
    db.session.add(Referral(case_id=ctx.case.id, kind=ReferralKind.court,
                            unit_id=ctx.data["court"]))


def accept_enforcement(ctx):
    current_referral(ctx.case, ReferralKind.court).receiver_case_no = ctx.data["court_case_no"]


def close(ctx):
    ctx.case.closed_at = utcnow()


EFFECTS = {fn.__name__: fn for fn in (
    assign, record_evidence, propose_filing, approve_filing, reject_filing, compute_business_volume,
    decide_penalty, decide_no_penalty, record_service, record_payment, approve_transfer,
    forward_transfer, acknowledge_transfer, accept_transfer, apply_court_enforcement,
    accept_enforcement, close,
)} | {name: _applied_rules for name in ("finish_investigation", "pass_review", "publish")}


def document_data(ctx, code: str) -> dict:
    """The plain data a document is rendered from: the case file and the action's fields."""
    source = document_context.Source(case=ctx.case, fields=ctx.data, actor=ctx.actor,
                                     today=local_today(), event=ctx.event,
                                     documents=dict(ctx.documents))
    return document_context.build(code, source)
