"""Which cases belong to a campaign: its rule, applied in SQL, and the hand-made exceptions.

A case joins by rule when it was registered (``created_at``, China time) within the campaign's
period, in one of its districts (any district when none is named), and is about one of its
target marks or has goods of one of its Nice classes (either, when both are named; any case
when neither is). A user may add any case by hand, and may take out any case — by rule or by
hand — with a reason; both are :class:`CampaignCase` rows with who and when.
"""

from sqlalchemy import and_, exists, not_, or_, select, true

from enforcement.campaigns.models import Campaign, CampaignCase, JoinedBy
from enforcement.cases.models import Case, CaseGoods, CaseMark
from enforcement.db import local_day_end, local_day_start


def rule_clause(campaign: Campaign):
    """The campaign's rule as a WHERE clause on ``cases``."""
    clauses = [Case.created_at >= local_day_start(campaign.starts_on),
               Case.created_at < local_day_end(campaign.ends_on)]
    if campaign.districts:
        clauses.append(Case.district.in_(list(campaign.districts)))
    subject = []
    if campaign.mark_ids:
        subject.append(exists().where(CaseMark.case_id == Case.id,
                                      CaseMark.trademark_id.in_(list(campaign.mark_ids))))
    if campaign.nice_classes:
        subject.append(exists().where(CaseGoods.case_id == Case.id,
                                      CaseGoods.nice_class.in_(list(campaign.nice_classes))))
    if subject:
        clauses.append(or_(*subject))
    return and_(*clauses)


def member_clause(campaign: Campaign):
    """The campaign's cases: rule matches not taken out, and cases added by hand."""
    rows = select(CampaignCase.case_id).where(CampaignCase.campaign_id == campaign.id)
    added = Case.id.in_(rows.where(CampaignCase.joined_by == JoinedBy.hand,
                                   CampaignCase.removed_at.is_(None)))
    removed = Case.id.in_(rows.where(CampaignCase.removed_at.is_not(None)))
    return or_(added, and_(rule_clause(campaign), not_(removed)))


def campaigns_clause(campaign: Campaign | None):
    return true() if campaign is None else member_clause(campaign)
