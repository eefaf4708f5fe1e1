"""States of a case and the six stages they are grouped into (DESIGN §2)."""
import enum


class Stage(enum.Enum):
    report = "report"  # 举报
    acceptance = "acceptance"  # 立案
    investigation = "investigation"  # 调查
    penalty = "penalty"  # 处罚
    publicity = "publicity"  # 公示
    referral = "referral"  # 移送


class CaseState(enum.Enum):
    registered = "registered"
    verifying = "verifying"
    filing_review = "filing_review"
    not_filed = "not_filed"
    transferred_out = "transferred_out"
    investigating = "investigating"
    suspended = "suspended"
    legal_review = "legal_review"
    notified = "notified"
    hearing = "hearing"
    decision_review = "decision_review"
    decided = "decided"
    publicized = "publicized"
    referral_review = "referral_review"
    referred = "referred"
    referral_declined = "referral_declined"
    police_filed = "police_filed"
    court_enforcement = "court_enforcement"
    closed = "closed"


#: state -> stage; ``closed`` belongs to no stage
STAGES: dict[CaseState, Stage | None] = {
    CaseState.registered: Stage.report,
    CaseState.verifying: Stage.report,
    CaseState.filing_review: Stage.acceptance,
    CaseState.not_filed: Stage.acceptance,
    CaseState.transferred_out: Stage.acceptance,
    CaseState.investigating: Stage.investigation,
    CaseState.suspended: Stage.investigation,
    CaseState.legal_review: Stage.investigation,
    CaseState.notified: Stage.penalty,
    CaseState.hearing: Stage.penalty,
    CaseState.decision_review: Stage.penalty,
    CaseState.decided: Stage.penalty,
    CaseState.publicized: Stage.publicity,
    CaseState.referral_review: Stage.referral,
    CaseState.referred: Stage.referral,
    CaseState.referral_declined: Stage.referral,
    CaseState.police_filed: Stage.referral,
    CaseState.court_enforcement: Stage.referral,
    CaseState.closed: None,
}

#: states in which a case is finished
END_STATES = frozenset({CaseState.not_filed, CaseState.transferred_out, CaseState.closed})
