"""Demo campaign: protection of the 河套 geographical indication, running through the current
and the previous quarter, with cases walked through the workflow in both and field work."""
from datetime import timedelta

from sqlalchemy import select, update

from enforcement.campaigns.models import Campaign, CampaignCase, FieldWork, JoinedBy
from enforcement.campaigns.stats import Quarter
from enforcement.cases.models import Case, CaseGoods, CaseMark
from enforcement.db import acting_as_of, local_today, utcnow
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.orgs.models import OrgUnit

NAME = "河套地理标志证明商标保护专项行动（演示）"
#: the owner's district of each demo mark, for the brand-strategy dashboard
MARK_DISTRICTS = {"90000001": "linhe", "90000002": "hanghou", "90000003": "wuyuan",
                  "90000004": "jingkai", "90000005": "zhongqi", "90000006": "wuyuan",
                  "90000007": "dengkou", "90000008": "linhe"}
#: (unit code, officers, businesses, markets, online shops) per quarter, for the campaign
FIELD_WORK = (("city_amr", 24, 60, 4, 120), ("linhe_amr", 86, 340, 12, 45),
              ("wuyuan_amr", 52, 210, 8, 20))


def seed_campaign(users: dict) -> int:
    """Create the demo campaign once; returns how many campaigns were created (0 or 1)."""
    _seed_mark_districts()
    _classify_demo_goods()
    if db.session.scalar(select(Campaign.id).where(Campaign.name == NAME)):
        db.session.commit()
        return 0
    today = local_today()
    current = Quarter.of(today)
    previous = current.previous()
    hetao = db.session.scalar(select(Trademark).where(Trademark.reg_no == "90000001"))
    city = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "city_amr"))
    supervisor = users["supervisor"]
    campaign = Campaign(
        name=NAME, starts_on=previous.first_day, ends_on=current.next_first_day
        - timedelta(days=1), lead_unit_id=city.id, districts=[], nice_classes=[30],
        mark_ids=[hetao.id], created_by_id=supervisor.id,
        goals="严厉打击假冒“河套”地理标志证明商标面粉及其他农产品的违法行为；"
              "重点检查粮油批发市场、商超和网店；立案查处一批、移送一批、公示一批。")
    db.session.add(campaign)
    db.session.commit()
    _previous_quarter_cases(users, previous)
    _hand_membership(campaign, supervisor)
    for q in (previous, current):
        for code, officers, businesses, markets, shops in FIELD_WORK:
            unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
            scale = 1 if q == current else 0.8
            db.session.add(FieldWork(
                unit_id=unit.id, campaign_id=campaign.id, year=q.year, quarter=q.quarter,
                officers=round(officers * scale), businesses=round(businesses * scale),
                markets=round(markets * scale), online_shops=round(shops * scale),
                note="演示数据", entered_by_id=supervisor.id))
    db.session.commit()
    return 1


def _seed_mark_districts() -> None:
    from enforcement.campaigns.models import TrademarkDistrict

    known = set(db.session.scalars(select(TrademarkDistrict.trademark_id)))
    for mark in db.session.scalars(select(Trademark).where(Trademark.is_demo.is_(True))):
        district = MARK_DISTRICTS.get(mark.reg_no)
        if district and mark.id not in known:
            db.session.add(TrademarkDistrict(trademark_id=mark.id, district=district))
    db.session.flush()


def _classify_demo_goods() -> None:
    """Demo goods carry the Nice class of the mark they infringe (the intake form does not
    ask for it), so that the statistics by goods category have something to show."""
    for mark in db.session.scalars(select(Trademark).where(Trademark.is_demo.is_(True))):
        cases = select(CaseMark.case_id).where(CaseMark.trademark_id == mark.id)
        db.session.execute(update(CaseGoods).where(
            CaseGoods.case_id.in_(cases), CaseGoods.nice_class.is_(None),
            CaseGoods.case_id.in_(select(Case.id).where(Case.report_no.not_like("BJ%"))))
            .values(nice_class=mark.nice_classes[0]))


def _previous_quarter_cases(users, q: Quarter) -> None:
    """河套 flour cases of the previous quarter: in 临河区 one closed, one published, one
    transferred and accepted by the police; in 五原县 one still investigating."""
    from enforcement.demo.seed import DemoCases

    wuyuan = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "wuyuan_amr"))
    linhe = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "linhe_amr"))
    start = q.first_day + timedelta(days=20)
    with acting_as_of(start):
        demo = DemoCases(linhe, users)
        closed = demo.to_decided(demo.new_case(40), serve=True)
        published = demo.to_decided(demo.new_case(44), serve=True)
        referred = demo.to_referred(demo.new_case(52))
        DemoCases(wuyuan, users).to_investigating(DemoCases(wuyuan, users).new_case(48))
    with acting_as_of(start + timedelta(days=15)):
        closed = demo.act(closed, "publish", demo.head)
        demo.act(published, "publish", demo.head)
        demo.police_decides(referred, accept=True)
        closed = demo.act(closed, "record_payment", demo.inspector, amount="20000",
                          paid_on=start + timedelta(days=15), reference="DEMO-Q-0040")
    with acting_as_of(min(start + timedelta(days=40), local_today())):
        demo.act(closed, "close", demo.head, summary="罚没款已缴清，予以结案。")
    _classify_demo_goods()


def _hand_membership(campaign: Campaign, supervisor) -> None:
    """One 维信 case added by hand (goods sold as 河套 cashmere), one rule match taken out."""
    hand = db.session.scalar(select(Case).join(CaseMark).where(
        CaseMark.reg_no == "90000004", Case.report_no.not_like("BJ%")).order_by(Case.id))
    out = db.session.scalar(select(Case).join(CaseMark).join(
        OrgUnit, OrgUnit.id == Case.unit_id).where(
        CaseMark.reg_no == "90000001", OrgUnit.code == "city_amr").order_by(Case.id))
    now = utcnow()
    if hand is not None:
        db.session.add(CampaignCase(campaign_id=campaign.id, case_id=hand.id,
                                    joined_by=JoinedBy.hand, added_by_id=supervisor.id,
                                    added_at=now, note="当事人以“河套羊绒”名义宣传销售（演示）"))
    if out is not None:
        db.session.add(CampaignCase(campaign_id=campaign.id, case_id=out.id,
                                    joined_by=JoinedBy.rule, added_at=now, removed_at=now,
                                    removed_by_id=supervisor.id,
                                    removed_reason="系市局直办的历史线索，不计入本次行动（演示）"))
    db.session.flush()
