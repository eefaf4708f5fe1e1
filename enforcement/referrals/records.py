"""What the receivers' actions record on the referral: receipt, supplements, forwarding, the
police's decision, reconsideration and the court's acceptance and ruling.

Effects of ``enforcement.cases.effects`` (same ``ctx``): they only add or change rows; the
service that fired the action owns the transaction.
"""
from flask_babel import gettext as _

from enforcement.cases.scope import current_referral
from enforcement.clocks import services as clocks
from enforcement.db import utcnow
from enforcement.errors import Invalid
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit, UnitKind
from enforcement.referrals.models import CourtRuling, DeclineGround, Referral, ReferralKind


def _police(ctx) -> Referral:
    return current_referral(ctx.case, ReferralKind.police)


def _court(ctx) -> Referral:
    return current_referral(ctx.case, ReferralKind.court)


def acknowledge_transfer(ctx):
    _police(ctx).acknowledged_at = utcnow()


def forward_transfer(ctx):
    """The police unit sends the transfer on to the competent unit (MPS Order 159 Art. 179):
    a new referral for that unit, which signs for it in turn; this one stays as history."""
    referral = _police(ctx)
    target = db.session.get(OrgUnit, ctx.data["police_unit"])
    if target is None or target.kind is not UnitKind.police or target.id == referral.unit_id:
        raise Invalid({"police_unit": [_("请选择本单位以外的有管辖权的公安机关")]})
    now = utcnow()
    referral.forwarded_at = now
    db.session.add(Referral(case_id=ctx.case.id, kind=ReferralKind.police, unit_id=target.id,
                            copy_unit_id=referral.copy_unit_id, forwarded_from_id=referral.id,
                            created_at=now))
    db.session.flush()


def request_supplement(ctx):
    referral = _police(ctx)
    referral.supplement_requested_at = utcnow()
    referral.supplement_request = ctx.data["materials"]
    referral.supplement_supplied_at = None


def supply_materials(ctx):
    _police(ctx).supplement_supplied_at = utcnow()


def accept_transfer(ctx):
    referral = _police(ctx)
    referral.receiver_case_no = ctx.data["police_case_no"]
    referral.accepted_at = utcnow()


def decline_transfer(ctx):
    """不予立案: the ground and reasons go back to the bureau with the file."""
    referral = _police(ctx)
    referral.declined_at = utcnow()
    referral.decline_ground = DeclineGround(ctx.data["ground"])
    referral.decline_reasons = ctx.data["reason"]


def request_reconsideration(ctx):
    referral = _police(ctx)
    # the police decide again on the same transfer; their first answer stays on record
    referral.reconsideration_requested_at = utcnow()


def accept_enforcement(ctx):
    referral = _court(ctx)
    referral.receiver_case_no = ctx.data["court_case_no"]
    referral.accepted_at = utcnow()
    if ctx.data.get("hears_parties"):
        # thirty days from acceptance instead of seven working days (行政强制法 Art. 58)
        referral.hears_parties = True
        cause = clocks.cause_from(ctx.event)
        clocks.cancel(ctx.case, "court_ruling", cause=cause)
        clocks.start(ctx.case, "court_ruling_hearing", cause=cause)


def rule_enforcement(ctx):
    referral = _court(ctx)
    referral.ruling = CourtRuling(ctx.data["ruling"])
    referral.ruling_reasons = ctx.data["reasons"]
    referral.ruled_at = utcnow()


EFFECTS = {fn.__name__: fn for fn in (
    acknowledge_transfer, forward_transfer, request_supplement, supply_materials,
    accept_transfer, decline_transfer, request_reconsideration, accept_enforcement,
    rule_enforcement,
)}
