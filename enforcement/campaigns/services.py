"""Changing campaigns, their membership and field work: one transaction and audit row each."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from enforcement.audit import services as audit
from enforcement.campaigns.models import Campaign, CampaignCase, FieldWork, JoinedBy
from enforcement.cases.models import Case
from enforcement.cases.scope import can_read
from enforcement.db import utcnow
from enforcement.errors import Invalid, NotFound, Refused
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit, UnitKind, subtree_ids
from workflows.engine import Refusal
from workflows.spec import N_


def _require(actor, permission: str) -> None:
    if not actor.can(permission):
        raise Refused([Refusal("permission", N_("您没有进行此操作的权限"))])


def manages_unit(actor, unit_id: int) -> bool:
    """A campaign led by a unit may be changed by users of that unit or above it."""
    if actor.can("case.read_all"):  # any unit of the city, but one that exists
        return db.session.get(OrgUnit, unit_id) is not None
    return actor.unit_id is not None and unit_id in subtree_ids(actor.unit_id)


def visible_campaigns(actor):
    """Campaigns a user may see: every one for a city-wide reader, else those led by its
    unit or a unit above it, or covering its district."""
    query = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    campaigns = db.session.scalars(query).all()
    if actor.can("case.read_all"):
        return list(campaigns)
    unit = actor.unit
    return [c for c in campaigns if unit is not None and (
        c.lead_unit_id in subtree_ids(unit.id) or not c.districts
        or unit.district in c.districts)]


def get_campaign(actor, campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign not in visible_campaigns(actor):
        raise NotFound()
    return campaign


@dataclass
class CampaignData:
    name: str
    starts_on: date
    ends_on: date
    lead_unit_id: int
    districts: list[str] = field(default_factory=list)
    nice_classes: list[int] = field(default_factory=list)
    mark_ids: list[int] = field(default_factory=list)
    goals: str = ""


def _validate(data: CampaignData) -> None:
    errors = {}
    if not data.name.strip():
        errors["name"] = [_("请填写行动名称")]
    if data.ends_on < data.starts_on:
        errors["ends_on"] = [_("结束日期不能早于开始日期")]
    unit = db.session.get(OrgUnit, data.lead_unit_id)
    if unit is None or unit.kind is not UnitKind.bureau:
        errors["lead_unit_id"] = [_("牵头单位须为市场监督管理部门")]
    if any(not 1 <= n <= 45 for n in data.nice_classes):
        errors["nice_classes"] = [_("尼斯分类应为 1 至 45 之间的类别号")]
    if errors:
        raise Invalid(errors)


def save_campaign(actor, data: CampaignData, campaign: Campaign | None = None, *,
                  ip=None) -> Campaign:
    _require(actor, "campaign.manage")
    _validate(data)
    if not manages_unit(actor, data.lead_unit_id) or (
            campaign is not None and not manages_unit(actor, campaign.lead_unit_id)):
        raise Refused([Refusal("jurisdiction", N_("只能管理本单位及下级单位牵头的专项行动"))])
    created = campaign is None
    if created:
        campaign = Campaign(created_by_id=actor.id)
        db.session.add(campaign)
    campaign.name = data.name.strip()
    campaign.starts_on, campaign.ends_on = data.starts_on, data.ends_on
    campaign.lead_unit_id = data.lead_unit_id
    campaign.districts = sorted(set(data.districts))
    campaign.nice_classes = sorted(set(data.nice_classes))
    campaign.mark_ids = sorted(set(data.mark_ids))
    campaign.goals = data.goals.strip()
    db.session.flush()
    audit.record("campaign.create" if created else "campaign.update", actor=actor,
                 obj_type="campaign", obj_id=campaign.id, unit_id=data.lead_unit_id, ip=ip,
                 name=campaign.name, starts_on=campaign.starts_on, ends_on=campaign.ends_on,
                 districts=campaign.districts, nice_classes=campaign.nice_classes,
                 mark_ids=campaign.mark_ids)
    db.session.commit()
    return campaign


def _membership(campaign: Campaign, case_id: int) -> CampaignCase | None:
    return db.session.scalar(select(CampaignCase).where(
        CampaignCase.campaign_id == campaign.id, CampaignCase.case_id == case_id))


def _readable_case(actor, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_read(actor, case):
        raise NotFound()
    return case


def add_case(actor, campaign: Campaign, case_id: int, note: str = "", *, ip=None):
    """Add a case by hand (a taken-out case comes back, now as a hand-made member)."""
    _require(actor, "campaign.manage")
    case = _readable_case(actor, case_id)
    row = _membership(campaign, case.id)
    if row is not None and row.removed_at is None and row.joined_by is JoinedBy.hand:
        raise Invalid({"case": [_("该案件已在本专项行动中")]})
    if row is None:
        row = CampaignCase(campaign_id=campaign.id, case_id=case.id)
        db.session.add(row)
    row.joined_by, row.added_by_id, row.added_at = JoinedBy.hand, actor.id, utcnow()
    row.note, row.removed_at, row.removed_by_id, row.removed_reason = note[:200], None, None, ""
    db.session.flush()
    audit.record("campaign.add_case", actor=actor, obj_type="campaign", obj_id=campaign.id,
                 unit_id=case.unit_id, ip=ip, case_id=case.id, note=note[:200])
    db.session.commit()
    return row


def remove_case(actor, campaign: Campaign, case_id: int, reason: str, *, ip=None):
    """Take a case out, by rule or by hand; the row keeps who, when and why."""
    _require(actor, "campaign.manage")
    if not reason.strip():
        raise Invalid({"reason": [_("请填写移出理由")]})
    case = _readable_case(actor, case_id)
    row = _membership(campaign, case.id)
    if row is None:
        row = CampaignCase(campaign_id=campaign.id, case_id=case.id, joined_by=JoinedBy.rule)
        db.session.add(row)
    elif row.removed_at is not None:
        raise Invalid({"case": [_("该案件已被移出本专项行动")]})
    row.removed_at, row.removed_by_id, row.removed_reason = utcnow(), actor.id, reason[:200]
    db.session.flush()
    audit.record("campaign.remove_case", actor=actor, obj_type="campaign", obj_id=campaign.id,
                 unit_id=case.unit_id, ip=ip, case_id=case.id, reason=reason[:200])
    db.session.commit()
    return row


FIELD_WORK_CODES = ("officers", "businesses", "markets", "online_shops")


def record_field_work(actor, *, unit_id: int, year: int, quarter: int,
                      campaign: Campaign | None, figures: dict, note: str = "", ip=None):
    """Enter (or correct) one unit's field-work figures for a quarter: its own unit only."""
    _require(actor, "fieldwork.record")
    if actor.unit_id != unit_id:
        raise Refused([Refusal("jurisdiction", N_("只能填报本单位的工作量"))])
    if not 1 <= quarter <= 4:
        raise Invalid({"quarter": [_("季度应为 1 至 4")]})
    bad = [code for code in FIELD_WORK_CODES if int(figures.get(code) or 0) < 0]
    if bad:
        raise Invalid({code: [_("数量不能为负数")] for code in bad})
    campaign_id = campaign.id if campaign is not None else None
    row = db.session.scalar(select(FieldWork).where(
        FieldWork.unit_id == unit_id, FieldWork.year == year, FieldWork.quarter == quarter,
        FieldWork.campaign_id.is_(None) if campaign_id is None
        else FieldWork.campaign_id == campaign_id))
    before = None if row is None else {c: getattr(row, c) for c in FIELD_WORK_CODES}
    if row is None:
        row = FieldWork(unit_id=unit_id, year=year, quarter=quarter, campaign_id=campaign_id)
        db.session.add(row)
    for code in FIELD_WORK_CODES:
        setattr(row, code, int(figures.get(code) or 0))
    row.note, row.entered_by_id, row.entered_at = note[:300], actor.id, utcnow()
    db.session.flush()
    audit.record("campaign.field_work", actor=actor, obj_type="field_work", obj_id=row.id,
                 unit_id=unit_id, ip=ip, year=year, quarter=quarter, campaign_id=campaign_id,
                 before=before, after={c: getattr(row, c) for c in FIELD_WORK_CODES})
    db.session.commit()
    return row


def audit_read(actor, action: str, *, ip=None, **detail) -> None:
    """A read of statistics or of the cases behind a figure: audited like any download."""
    audit.record(action, actor=actor, obj_type="statistics", unit_id=actor.unit_id, ip=ip,
                 **detail)
    db.session.commit()


def export(actor, report, fmt: str, *, ip=None) -> bytes:
    """The report as XLSX, CSV or PDF; every export is audited."""
    from enforcement.campaigns import exports

    _require(actor, "stats.read")
    if fmt == "xlsx":
        body = exports.xlsx(report)
    elif fmt == "csv":
        body = exports.csv_text(report).encode("utf-8")
    else:
        body = exports.pdf(report, generated_by=actor.full_name)
    scope = report.scope
    audit_read(actor, "stats.export", ip=ip, format=fmt, quarter=report.quarter.short,
               campaign_id=scope.campaign.id if scope.campaign else None,
               scope_unit_id=scope.unit_id, size=len(body))
    return body
