"""What a receiver's referral page shows: the referral, its clocks, the documents sent, the
timeline since it was sent, supervision opinions and the actions the reader may take now."""
from sqlalchemy import select

from enforcement.audit import services as audit
from enforcement.cases.facts import Facts
from enforcement.cases.presenters import RECEIVER_DOCUMENTS, clock_status_labels, describe
from enforcement.cases.services import allowed_actions
from enforcement.documents.models import Document
from enforcement.documents.types import DOC_TYPES
from enforcement.errors import NotFound
from enforcement.extensions import db
from enforcement.referrals.inbox import Inbox, inbox_of, rows_for, visible_referrals
from enforcement.referrals.models import Referral, ReferralKind
from workflows.definition import ACTIONS_BY_NAME
from workflows.spec import Side

#: what happened to a transfer or an application, as its receivers follow it
POLICE_ACTIONS = ("approve_transfer", "acknowledge_transfer", "request_supplement",
                  "supply_materials", "forward_transfer", "accept_transfer", "decline_transfer",
                  "request_reconsideration", "request_supervision", "record_supervision",
                  "resume_administrative", "hand_over_goods", "close")
COURT_ACTIONS = ("apply_court_enforcement", "accept_enforcement", "rule_enforcement",
                 "record_payment", "close")
#: the bureau's internal approval opinion stays in the bureau's file
HIDDEN_FIELDS = {"approve_transfer": {"opinion"}, "apply_court_enforcement": set()}
SUPERVISION_ACTIONS = ("request_supervision", "record_supervision")

SIDES = {Inbox.police: Side.police, Inbox.procuratorate: Side.procuratorate,
         Inbox.court: Side.court}


def load_referral(referral_id: int, user, *, ip=None) -> Referral:
    """The referral if the user may read it; otherwise NotFound, and the denial is audited."""
    referral = db.session.scalar(select(Referral).where(Referral.id == referral_id,
                                                        visible_referrals(user)))
    if referral is None:
        db.session.rollback()
        audit.record("access.denied", actor=user, obj_type="referral", obj_id=referral_id,
                     ip=ip, reason="not_visible")
        db.session.commit()
        raise NotFound()
    return referral


def side_of(user) -> Side:
    inbox = inbox_of(user)
    return SIDES[inbox] if inbox is not None else Side.bureau


def timeline(referral: Referral) -> list:
    """The case's events since the referral was sent, of the kinds its receivers follow."""
    case = referral.case
    names = POLICE_ACTIONS if referral.kind is ReferralKind.police else COURT_ACTIONS
    start = names[0]
    sent = [i for i, e in enumerate(case.events) if e.action == start]
    if not sent:
        return []
    # the sending event of this referral: the last one before the row was made
    root = referral
    while root.forwarded_from is not None:
        root = root.forwarded_from
    index = max((i for i in sent if case.events[i].at <= root.created_at), default=sent[-1])
    return [e for e in case.events[index:] if e.action in names]


def shown_fields(event) -> list:
    hidden = HIDDEN_FIELDS.get(event.action, set())
    return [(spec, event.data[spec.name]) for spec in ACTIONS_BY_NAME[event.action].fields
            if spec.name not in hidden and event.data.get(spec.name) not in (None, "", [], False)]


def referral_page(referral: Referral, user) -> dict:
    from enforcement.packets.models import downloads_for

    case = referral.case
    row = rows_for([referral])[0]
    side = side_of(user)
    kind_side = Side.court if referral.kind is ReferralKind.court else Side.police
    shown_docs = RECEIVER_DOCUMENTS.get(kind_side, ())
    documents = [d for d in db.session.scalars(select(Document).where(Document.case_id == case.id)
                                               .order_by(Document.id))
                 if d.doc_type in shown_docs]
    events = timeline(referral)
    # receivers act from this page; the bureau acts from its case page
    allowed = allowed_actions(case, user, Facts(case)) if side is not Side.bureau else []
    return {
        "referral": referral,
        "case": case,
        "row": row,
        "side": side,
        "documents": documents,
        "doc_types": DOC_TYPES,
        "events": list(reversed(events)),
        "supervision": [e for e in events if e.action in SUPERVISION_ACTIONS],
        "shown_fields": shown_fields,
        "describe": describe,
        "actions": ACTIONS_BY_NAME,
        "allowed": allowed,
        "downloads": downloads_for(referral.id),
        "clocks": row.clocks,
        "clock_status_labels": clock_status_labels(),
        "forwarded_to": db.session.scalar(select(Referral).where(
            Referral.forwarded_from_id == referral.id)),
    }
