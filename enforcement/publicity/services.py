"""Publishing a penalty decision and everything after: withdrawal, take-down, credit repair,
the city bureau's typical cases. Public functions that change data are one transaction each;
:func:`create_entry` and :func:`withdraw_entries` run inside the workflow action that calls
them, and the take-down hook inside the clocks sweep's transaction."""
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from enforcement.audit import services as audit
from enforcement.cases.models import Case
from enforcement.clocks import services as clocks
from enforcement.clocks.calendar import add_months
from enforcement.clocks.timed import on_lapse
from enforcement.db import local_today, utcnow
from enforcement.documents import rendering
from enforcement.documents.bidi import isolate
from enforcement.documents.context import common
from enforcement.documents.models import Document
from enforcement.errors import Invalid, NotFound, Refused
from enforcement.extensions import db
from enforcement.orgs.models import UnitKind
from enforcement.publicity import redaction
from enforcement.publicity.models import EntryStatus, PublicationEntry
from enforcement.rules import services as rules
from workflows.engine import Refusal
from workflows.spec import N_, Side
from workflows.states import CaseState

log = logging.getLogger(__name__)

#: the notice template of the published (redacted) decision
REDACTED_TEMPLATE = "publication_redacted_decision"

#: 信用修复: the four conditions the bureau records before publication stops early
#: (《市场监督管理信用修复管理办法》, article numbering R)
REPAIR_CONDITIONS = (
    ("performed", N_("已经自觉履行行政处罚决定中规定的义务")),
    ("remedied", N_("已经主动消除危害后果和不良影响")),
    ("no_repeat", N_("未因同一类违法行为再次受到市场监督管理部门行政处罚")),
    ("not_listed", N_("未在经营异常名录和严重违法失信名单中")),
)

REVOCATION_KINDS = (
    ("revoked", N_("行政处罚决定被依法撤销")),
    ("changed", N_("行政处罚决定被依法变更")),
    ("confirmed_illegal", N_("行政处罚决定被确认违法或者无效")),
)


# -- what is published --------------------------------------------------------------------------
@dataclass
class Preview:
    """The decision as it would be published, and what the rules hid."""

    data: dict
    html: str
    counts: dict
    originals: list[str]
    leaks: list[str]


def _decision(case) -> Document | None:
    return common.latest_document(case, "penalty_decision")


def _other_people(case) -> list[str]:
    """Natural persons in the case file other than the party: people questioned."""
    names = []
    for event in case.events:
        if event.action == "record_inquiry" and event.data.get("person"):
            names.append(event.data["person"])
    return names


def _sensitive_originals(case, data: dict) -> list[str]:
    """The values that must never appear in public: a person's identifiers, the reporter."""
    values = []
    for party in data.get("parties") or []:
        if party.get("is_person"):
            values += [party.get("id_number"), party.get("phone"), party.get("address")]
    values += [case.reporter_name, case.reporter_contact]
    for event in case.events:
        if event.action == "record_inquiry":
            values.append(event.data.get("person_id"))
    return [v for v in values if v and len(v) >= 4]


def _literal_extras(case) -> list[str]:
    """Identifiers of people questioned: hidden whole wherever they appear."""
    return [e.data["person_id"] for e in case.events
            if e.action == "record_inquiry" and e.data.get("person_id")]


def masks_from(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _body_html(full: str) -> str:
    """The notice's body for a web page: without the document shell and the QR box (whose
    image is a PDF asset)."""
    match = re.search(r"<body[^>]*>(.*)</body>", full, re.S)
    body = match.group(1) if match else full
    body = re.sub(r'<div class="qr-box">.*?</div>', "", body, count=1, flags=re.S)
    # a page has one h1 (the summary's): the document title is a heading below it
    return body.replace('<h1 class="doc-title">', '<h2 class="doc-title h4 text-center">') \
        .replace("</h1>", "</h2>")


def preview(case, extra_masks=()) -> Preview:
    """The redacted decision of a case, as the head sees it before publishing."""
    document = _decision(case)
    if document is None:
        raise Refused([Refusal("no_decision", N_("本案没有可公示的行政处罚决定书"))])
    plan = redaction.plan(document.data, other_people=_other_people(case),
                          extra_masks=[*extra_masks, *_literal_extras(case)])
    data = redaction.redact(document.data, plan)
    html = _body_html(rendering.html(REDACTED_TEMPLATE, data))
    originals = _sensitive_originals(case, document.data)
    return Preview(data=data, html=html, counts=dict(plan.counts), originals=originals,
                   leaks=redaction.leaks(html, originals))


def _party_key(party: dict) -> str | None:
    # the same party across entries, without keeping a person's ID number in the clear
    if party.get("credit_code"):
        return party["credit_code"]
    if party.get("id_number"):
        secret = current_app.config["SECRET_KEY"].encode()
        return hmac.new(secret, party["id_number"].upper().encode(), hashlib.sha256).hexdigest()
    return None


def _summary(case, document: Document, data: dict) -> dict:
    original_party = (document.data.get("parties") or [{}])[0]
    party = data.get("party") or {}
    decision = data.get("decision") or {}
    is_person = bool(party.get("is_person"))
    return {
        "decision_number": document.number or "",
        "party_name": party.get("name") or "",
        "party_is_person": is_person,
        "party_identifier": party.get("id_number") if is_person else party.get("credit_code"),
        "party_key": _party_key(original_party),
        "violation_type": (data.get("case") or {}).get("act") or case.cause or "",
        # one item's bidi control must not reorder the next items of the line
        "penalty": "；".join(isolate(item) for item in decision.get("items") or []),
        "fine_total": Decimal(decision["total"]) if decision.get("total") else None,
        "authority": (data.get("issuer") or {}).get("name") or "",
        "decided_on": date.fromisoformat(document.data["doc"]["issued_on"]),
        "district": case.district,
        "marks": "、".join(m["name"] for m in data.get("marks") or [] if m.get("name"))[:300],
        "heavier": bool(decision.get("heavier_reasoning")),
    }


def create_entry(ctx) -> PublicationEntry:
    """The publish action's effect: the public entry with the redacted decision and its PDF,
    rendered from redacted data, in the action's transaction (flushes, never commits)."""
    case = ctx.case
    shown = preview(case, masks_from(ctx.data.get("extra_masks")))
    if shown.leaks:  # a rule gap must stop publication, never publish the value
        raise Invalid({"extra_masks": [_("公示文本中仍含有个人信息，请在“另行隐去的内容”中补充")]})
    rendered = rendering.render(REDACTED_TEMPLATE, shown.data)
    document = _decision(case)
    clock = clocks.open_clock(case, "publication_period")
    today = local_today()
    months = clock.length if clock is not None else 36
    # the clock's last day; three years ahead the holiday calendar may not be known yet, and
    # the clock then carries its weekday estimate
    ends = (clock.due_on or clock.estimated_due_on) if clock is not None else None
    ends = ends or add_months(today, months)
    entry = PublicationEntry(
        case_id=case.id, unit_id=case.unit_id, decision_document_id=document.id,
        summary_document_id=ctx.documents["publication_summary"].id
        if "publication_summary" in ctx.documents else None,
        **_summary(case, document, shown.data),
        redacted_data=shown.data, redaction_log=shown.counts, redacted_html=shown.html,
        pdf=rendered.pdf, sha256=rendered.sha256, status=EntryStatus.active,
        published_at=utcnow(), published_on=today, published_by_id=ctx.actor.id,
        period_months=months, period_ends_on=ends, changed_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    ctx.event.data = {**ctx.event.data, "entry": entry.id, "period_ends_on": ends.isoformat(),
                      "redaction": shown.counts}
    return entry


# -- ending a publication -------------------------------------------------------------------------
def _end(entry: PublicationEntry, status: EntryStatus, actor, reason: str) -> None:
    entry.status, entry.ended_at, entry.changed_at = status, utcnow(), utcnow()
    entry.ended_by_id = actor.id if actor is not None else None
    entry.end_reason = reason


def active_entries(case_id: int) -> list[PublicationEntry]:
    return list(db.session.scalars(select(PublicationEntry).where(
        PublicationEntry.case_id == case_id, PublicationEntry.status == EntryStatus.active)))


def withdraw_entries(case, actor, reason: str) -> None:
    """The withdraw_publication action's effect (Order 45 Art. 14)."""
    for entry in active_entries(case.id):
        _end(entry, EntryStatus.withdrawn, actor, reason)


@on_lapse("publication_period")
def take_down(case, clock):
    """At the end of the period the information comes down by itself (Order 45 Art. 13); in
    the sweep's transaction, once (the lapse is a conditional update)."""
    for entry in active_entries(case.id):
        _end(entry, EntryStatus.taken_down, None, N_("公示期满"))
        audit.record("publicity.take_down", obj_type="publication", obj_id=entry.id,
                     unit_id=entry.unit_id, case_id=case.id,
                     period_ends_on=entry.period_ends_on.isoformat())
        log.info("publication %s of case %s taken down", entry.id, case.id)


def take_down_expired(today: date) -> int:
    """The sweep's pass over entries whose last public day has passed: their period clock
    lapses (running the hook above), or, without a running clock, the entry comes down
    directly. Each is its own transaction; a conditional update makes it happen once."""
    from enforcement.clocks.models import Clock, ClockStatus
    from enforcement.clocks.sweep import _transition

    done = 0
    ids = list(db.session.scalars(select(PublicationEntry.id).where(
        PublicationEntry.status == EntryStatus.active, PublicationEntry.period_ends_on < today)))
    db.session.rollback()
    for entry_id in ids:
        try:
            entry = db.session.get(PublicationEntry, entry_id)
            clock = db.session.scalar(select(Clock).where(
                Clock.case_id == entry.case_id, Clock.kind == "publication_period",
                Clock.status == ClockStatus.running).order_by(Clock.id.desc()))
            if clock is not None:
                _transition(clock, ClockStatus.lapsed, today)
            else:
                ended = db.session.execute(
                    update(PublicationEntry).where(PublicationEntry.id == entry_id,
                                                   PublicationEntry.status == EntryStatus.active)
                    .values(status=EntryStatus.taken_down, ended_at=utcnow(),
                            changed_at=utcnow(), end_reason=N_("公示期满"))
                    .execution_options(synchronize_session=False))
                if ended.rowcount == 1:
                    audit.record("publicity.take_down", obj_type="publication", obj_id=entry_id,
                                 unit_id=entry.unit_id, case_id=entry.case_id,
                                 period_ends_on=entry.period_ends_on.isoformat())
            db.session.commit()
            done += 1
        except Exception:
            db.session.rollback()
            log.exception("publication %s: take-down failed", entry_id)
    return done


def _entry_for(entry_id: int, actor, ip) -> PublicationEntry:
    """The entry if the actor decides for its case's bureau; otherwise NotFound or Refused."""
    from enforcement.cases.scope import acts_for
    from enforcement.cases.services import load_case

    entry = db.session.get(PublicationEntry, entry_id)
    if entry is None:
        raise NotFound()
    case = load_case(entry.case_id, actor, ip=ip)
    if not (actor.can("case.decide") and acts_for(actor, case, Side.bureau)):
        raise Refused([Refusal("permission", N_("您没有进行此操作的权限"))])
    return entry


def _commit(action: str, entry, actor, ip, **detail) -> None:
    try:
        audit.record(action, actor=actor, obj_type="publication", obj_id=entry.id,
                     unit_id=entry.unit_id, ip=ip, case_id=entry.case_id, **detail)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _require_active(entry) -> None:
    if entry.status is not EntryStatus.active:
        raise Refused([Refusal("state", N_("该信息已不在公示中"))])


def record_revocation(entry_id: int, actor, *, kind: str, decided_on: str, reason: str,
                      ip=None) -> PublicationEntry:
    """A published decision was revoked or changed: recorded, and the 3-working-day
    withdrawal clock starts (Order 45 Art. 14)."""
    entry = _entry_for(entry_id, actor, ip)
    _require_active(entry)
    errors = {}
    if kind not in dict(REVOCATION_KINDS):
        errors["kind"] = [_("请选择决定被撤销或变更的情形")]
    try:
        day = date.fromisoformat(decided_on or "")
    except ValueError:
        errors["decided_on"] = [_("请填写撤销或变更决定的日期")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写撤销或变更的理由和依据")]
    if errors:
        raise Invalid(errors)
    entry.revocation = {"kind": kind, "decided_on": day.isoformat(), "reason": reason.strip(),
                        "recorded_by": actor.id, "recorded_on": local_today().isoformat()}
    case = db.session.get(Case, entry.case_id)
    clocks.start(case, "publication_withdrawal", day, cause=clocks.Cause(
        reason=reason.strip(), legal_basis=N_("国家市场监督管理总局令第45号第十四条"),
        actor_id=actor.id))
    _commit("publicity.revocation", entry, actor, ip, kind=kind, decided_on=day.isoformat())
    return entry


def withdraw(entry_id: int, actor, reason: str, *, ip=None) -> PublicationEntry:
    """Withdraw a publication (also after the case is closed), with its reason."""
    entry = _entry_for(entry_id, actor, ip)
    _require_active(entry)
    if not (reason or "").strip():
        raise Invalid({"reason": [_("请填写撤回理由")]})
    case = db.session.get(Case, entry.case_id)
    if case.state is CaseState.publicized:
        # the case is still open: withdrawing is its workflow action (timeline, clocks)
        from enforcement.cases.services import perform

        perform(case.id, "withdraw_publication", actor,
                MultiDict({"reason": reason.strip()}), ip=ip)
        return db.session.get(PublicationEntry, entry_id)
    _end(entry, EntryStatus.withdrawn, actor, reason.strip())
    cause = clocks.Cause(reason=reason.strip(), actor_id=actor.id,
                         legal_basis=N_("国家市场监督管理总局令第45号第十四条"))
    clocks.stop(case, "publication_withdrawal", cause=cause)
    clocks.cancel(case, "publication_period", cause=cause)
    _commit("publicity.withdraw", entry, actor, ip, reason=reason.strip())
    return entry


def repair_eligible_on(entry: PublicationEntry) -> date | None:
    """The first day early removal may be asked for: after the months of the rule in force."""
    rule = rules.in_force("credit_repair", entry.published_on)
    if rule is None:
        return None
    return add_months(entry.published_on, int(rule.value["months"]))


def remove_early(entry_id: int, actor, *, conditions: dict, applied_on: str, note: str = "",
                 ip=None) -> PublicationEntry:
    """信用修复: publication stops early, once eligible and with the four conditions recorded."""
    entry = _entry_for(entry_id, actor, ip)
    _require_active(entry)
    eligible = repair_eligible_on(entry)
    today = local_today()
    refusals = []
    if eligible is None or today < eligible:
        refusals.append(Refusal("repair_too_early", N_(
            "公示未满规定期限，不能提前停止公示；最早可于 %(day)s 申请"),
            (("day", eligible.isoformat() if eligible else "—"),)))
    missing = [label for code, label in REPAIR_CONDITIONS if not conditions.get(code)]
    if missing:
        refusals.append(Refusal("repair_conditions", N_(
            "信用修复的四项条件未全部记录：%(missing)s"), (("missing", "；".join(missing)),)))
    if refusals:
        raise Refused(refusals)
    try:
        applied = date.fromisoformat(applied_on or "")
    except ValueError:
        raise Invalid({"applied_on": [_("请填写当事人申请信用修复的日期")]}) from None
    entry.repair = {"conditions": {code: True for code, _label in REPAIR_CONDITIONS},
                    "applied_on": applied.isoformat(), "note": (note or "").strip(),
                    "recorded_by": actor.id, "recorded_on": today.isoformat()}
    _end(entry, EntryStatus.removed_early, actor, N_("信用修复，提前停止公示"))
    case = db.session.get(Case, entry.case_id)
    clocks.cancel(case, "publication_period", cause=clocks.Cause(
        reason=N_("信用修复，提前停止公示"), actor_id=actor.id,
        legal_basis=N_("《市场监督管理信用修复管理办法》")))
    _commit("publicity.remove_early", entry, actor, ip, applied_on=applied.isoformat())
    return entry


# -- the exposure page: typical cases the city bureau picks -------------------------------------
def may_choose_typical(actor) -> bool:
    """The city bureau picks typical cases: its heads, or its supervisors reading every case."""
    unit = actor.unit if actor.unit_id is not None else None
    city = unit is not None and unit.parent_id is None and unit.kind is UnitKind.bureau
    return city and (actor.can("case.read_all") or actor.can("case.decide"))


def set_typical(entry_id: int, actor, typical: bool, note: str = "", *,
                ip=None) -> PublicationEntry:
    if not may_choose_typical(actor):
        raise Refused([Refusal("permission", N_("典型案例由市局选定"))])
    entry = db.session.get(PublicationEntry, entry_id)
    if entry is None:
        raise NotFound()
    _require_active(entry)
    entry.typical = typical
    entry.typical_note = (note or "").strip() or None if typical else None
    entry.typical_by_id = actor.id if typical else None
    entry.changed_at = utcnow()
    _commit("publicity.typical", entry, actor, ip, typical=typical)
    return entry
