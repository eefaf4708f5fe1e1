"""A small hand-built data set in 2024 (no demo case is that old), with the figures of its
second quarter counted by hand in the tests.

Times are UTC; China is UTC+8, so 2024 Q2 runs from 2024-03-31 16:00 to 2024-06-30 16:00 UTC.

=====  =======  ======================  ================================================
case   unit     marks (goods class)     what happens
=====  =======  ======================  ================================================
A      linhe    河套 GI (30)            registered Q1 (03-28), filed 04-02 (major), seized
                                        04-05, decided 06-10 (volume 50,000, fine 20,000,
                                        confiscation 5,000, goods destroyed), published
                                        06-20, closed 07-03 (Q3)
B      linhe    维信 well-known (25)    registered 04-10, filed 04-15, transferred 05-01,
                                        police filed it 06-30 23:30 China (still Q2);
                                        a clock due 05-20 went overdue
C      wuyuan   河套 GI + 巴彦淖尔小麦    registered 06-30 23:59 China (still Q2)
                collective (30, 31)
D      wuyuan   ordinary (29), party P  registered Q1, filed 01-10, decided 03-01 (fine
                                        10,000), closed 04-01 00:10 China (Q2 in China,
                                        Q1 in UTC)
E      wuyuan   ordinary (29), party P  registered 05-02, filed 05-06 (repeat: P was
                                        penalised in D), transferred 05-10, police declined
                                        06-01; a clock due 07-02 (Q3) overdue
F      linhe    河套 GI (30)            registered 07-01 00:30 China (Q3)
=====  =======  ======================  ================================================

Campaigns: X "河套 2024 Q2" (whole city, mark 河套, 04-01…06-30) holds C by rule and A by
hand. Y "五原 2024" (五原县, classes 29 and 30, the whole year) holds C and D by rule; E
matched too but was taken out by hand. C is in both.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from enforcement.campaigns.models import Campaign, CampaignCase, FieldWork, JoinedBy
from enforcement.cases.models import Case, CaseEvent, CaseGoods, CaseMark, CaseParty, CaseSource
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.extensions import db
from enforcement.marks.models import MarkType, Trademark
from enforcement.orgs.models import OrgUnit
from enforcement.parties.models import Party, PartyKind
from tests.conftest import user
from workflows.states import CaseState


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class DataSet:
    cases: dict[str, Case]
    x: Campaign
    y: Campaign
    linhe: OrgUnit
    wuyuan: OrgUnit


def _unit(code):
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def _mark(reg_no):
    return db.session.scalar(select(Trademark).where(Trademark.reg_no == reg_no))


def _case(name, unit, created, *, marks, goods_classes, party, filed=None, decided=None,
          closed=None, major=False, volume=None, fine=None, confiscation=None, events=(),
          clocks=()):
    case = Case(report_no=f"T2024{name}", state=CaseState.investigating, unit_id=unit.id,
                source=CaseSource.inspection, cause=f"测试案件{name}", district=unit.district,
                created_at=created, filed_at=filed, decided_at=decided, closed_at=closed,
                is_major=major, business_volume=volume, fine_amount=fine,
                confiscation_amount=confiscation)
    for mark in marks:
        case.marks.append(CaseMark(trademark_id=mark.id, reg_no=mark.reg_no, name=mark.name))
    for nice_class in goods_classes:
        case.goods.append(CaseGoods(name=f"商品{nice_class}", nice_class=nice_class))
    case.parties.append(CaseParty(party=party))
    for action, at, data in events:
        case.events.append(CaseEvent(action=action, at=at, data=data,
                                     from_state=CaseState.investigating,
                                     to_state=CaseState.investigating))
    db.session.add(case)
    db.session.flush()
    for due_on, status in clocks:
        db.session.add(Clock(case_id=case.id, kind="decision", status=status,
                             started_on=date(2024, 1, 1), due_on=due_on))
    return case


def build() -> DataSet:
    linhe, wuyuan = _unit("linhe_amr"), _unit("wuyuan_amr")
    hetao, weixin, wheat = _mark("90000001"), _mark("90000004"), _mark("90000008")
    ordinary = Trademark(reg_no="T0000001", name="测试普通商标", mark_type=MarkType.ordinary,
                         nice_classes=[29], owner_name="测试权利人")
    db.session.add(ordinary)
    p, q, r, s = (Party(kind=PartyKind.organisation, name=f"测试当事人{n}")
                  for n in "PQRS")
    db.session.add_all([p, q, r, s])
    cases = {
        "A": _case("A", linhe, utc(2024, 3, 28, 2), marks=[hetao], goods_classes=[30], party=q,
                   filed=utc(2024, 4, 2, 2), decided=utc(2024, 6, 10, 2),
                   closed=utc(2024, 7, 3, 2), major=True, volume=Decimal("50000"),
                   fine=Decimal("20000"), confiscation=Decimal("5000"),
                   events=[("impose_measure", utc(2024, 4, 5, 2), {"measure": "seize"}),
                           ("decide_penalty", utc(2024, 6, 10, 2),
                            {"confiscated_goods": "没收并销毁侵权面粉"}),
                           ("publish", utc(2024, 6, 20, 2), {})]),
        "B": _case("B", linhe, utc(2024, 4, 10, 2), marks=[weixin], goods_classes=[25],
                   party=r, filed=utc(2024, 4, 15, 2),
                   events=[("approve_transfer", utc(2024, 5, 1, 2), {}),
                           ("accept_transfer", utc(2024, 6, 30, 15, 30), {})],
                   clocks=[(date(2024, 5, 20), ClockStatus.overdue)]),
        "C": _case("C", wuyuan, utc(2024, 6, 30, 15, 59), marks=[hetao, wheat],
                   goods_classes=[30, 31], party=s),
        "D": _case("D", wuyuan, utc(2024, 1, 5, 2), marks=[ordinary], goods_classes=[29],
                   party=p, filed=utc(2024, 1, 10, 2), decided=utc(2024, 3, 1, 2),
                   closed=utc(2024, 3, 31, 16, 10), fine=Decimal("10000"),
                   events=[("decide_penalty", utc(2024, 3, 1, 2), {"confiscated_goods": ""})]),
        "E": _case("E", wuyuan, utc(2024, 5, 2, 2), marks=[ordinary], goods_classes=[29],
                   party=p, filed=utc(2024, 5, 6, 2),
                   events=[("approve_transfer", utc(2024, 5, 10, 2), {}),
                           ("decline_transfer", utc(2024, 6, 1, 2), {})],
                   clocks=[(date(2024, 7, 2), ClockStatus.overdue)]),
        "F": _case("F", linhe, utc(2024, 6, 30, 16, 30), marks=[hetao], goods_classes=[30],
                   party=q),
    }
    supervisor = user("supervisor")
    city = _unit("city_amr")
    x = Campaign(name="河套 2024 Q2", starts_on=date(2024, 4, 1), ends_on=date(2024, 6, 30),
                 lead_unit_id=city.id, districts=[], nice_classes=[], mark_ids=[hetao.id])
    y = Campaign(name="五原 2024", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31),
                 lead_unit_id=wuyuan.id, districts=["wuyuan"], nice_classes=[29, 30],
                 mark_ids=[])
    db.session.add_all([x, y])
    db.session.flush()
    db.session.add_all([
        CampaignCase(campaign_id=x.id, case_id=cases["A"].id, joined_by=JoinedBy.hand,
                     added_by_id=supervisor.id),
        CampaignCase(campaign_id=y.id, case_id=cases["E"].id, joined_by=JoinedBy.rule,
                     removed_at=utc(2024, 6, 1), removed_by_id=supervisor.id,
                     removed_reason="测试移出"),
        FieldWork(unit_id=linhe.id, year=2024, quarter=2, officers=10, businesses=40,
                  markets=2, online_shops=5),
        FieldWork(unit_id=linhe.id, campaign_id=x.id, year=2024, quarter=2, officers=5,
                  businesses=12, markets=1, online_shops=3),
        FieldWork(unit_id=wuyuan.id, year=2024, quarter=2, officers=7, businesses=30,
                  markets=0, online_shops=0),
        FieldWork(unit_id=wuyuan.id, year=2024, quarter=3, officers=99, businesses=99,
                  markets=99, online_shops=99),
    ])
    db.session.commit()
    return DataSet(cases, x, y, linhe, wuyuan)
