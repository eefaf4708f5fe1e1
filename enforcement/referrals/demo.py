"""Demo transfers to the police in each state the police see, for both demo police units,
walked through the real workflow service (``DemoCases.act``); idempotent."""
from sqlalchemy import select

from enforcement.cases.models import Case, CaseParty
from enforcement.demo.seed import DemoCases, _demo_party
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.parties.models import Party

#: marks the demo parties of these cases, so that a second run adds nothing
MARKER = "移送演示"

#: the sending bureau, the police unit it transfers to, where that unit forwards one, and the
#: first demo number. The city bureau sends both (a 临河 case to the 临河 police): the district
#: bureaus' demo cases stay one per workflow state
ROUTES = (("city_amr", "linhe_police", "wuyuan_police", 50),
          ("city_amr", "city_police", "linhe_police", 60))


class ReferralDemo(DemoCases):
    """Cases of one bureau transferred to one police unit, one per police-side state."""

    def __init__(self, unit, users, police: OrgUnit, forward_to: OrgUnit, first: int):
        super().__init__(unit, users)
        self.police, self.forward_to, self.first = police, forward_to, first
        self.officer = next(u for u in users.values() if u.unit_id == police.id)

    def _party(self, n, district_name, shop):
        return _demo_party(self.unit.id * 100 + n, f"{district_name}{shop}（{MARKER}{n}）",
                           f"{district_name}建设路{n}号")

    def referred(self, n: int) -> Case:
        case = self.to_investigating(self.new_case(n))
        case = self.act(case, "impose_measure", self.inspector, measure="seize",
                        **{"goods-0-name": "涉嫌假冒商品", "goods-0-quantity": "300",
                           "goods-0-unit": "件"},
                        place=case.occurred_place,
                        legal_basis="《中华人民共和国商标法》第六十二条第一款第（四）项")
        case = self.act(case, "propose_transfer", self.inspector,
                        suspected_crime="sell_counterfeit",
                        report="当事人销售明知是假冒注册商标的商品，销售金额超过五万元，"
                               "涉嫌销售假冒注册商标的商品罪。",
                        goods_list="涉嫌假冒商品 300 件")
        return self.act(case, "approve_transfer", self.head, police_unit=self.police.id,
                        opinion="同意移送。")

    def acknowledged(self, n: int) -> Case:
        return self.act(self.referred(n), "acknowledge_transfer", self.officer,
                        note="已收到移送书、调查报告和涉案物品清单。")

    def declined(self, n: int) -> Case:
        return self.act(self.acknowledged(n), "decline_transfer", self.officer,
                        ground="below_threshold",
                        reason="经审查，现有证据证明的销售金额未达到立案追诉标准。")

    def create(self) -> int:
        officer, n = self.officer, self.first
        self.referred(n + 1)  # not yet signed for
        self.acknowledged(n + 2)
        self.act(self.acknowledged(n + 3), "request_supplement", officer,
                 materials="请补充涉案商品的权利人鉴定意见和进货凭证。")
        self.act(self.acknowledged(n + 4), "forward_transfer", officer,
                 police_unit=self.forward_to.id, reason="犯罪地在其辖区，由其管辖。")
        case = self.act(self.acknowledged(n + 5), "accept_transfer", officer,
                        police_case_no=f"{self.police.short_name}经立字〔{self.today.year}〕"
                                       f"{n + 5}号")
        self.act(case, "hand_over_goods", self.inspector, handover_list="涉嫌假冒商品 300 件",
                 handed_on=self.today)
        self.declined(n + 6)
        self.act(self.declined(n + 7), "request_reconsideration", self.head,
                 reason="当事人账册记载的销售金额已超过五万元，请予复议。")
        return self.count


def seed_referrals(users) -> int:
    """The transfers of both demo police units; nothing when they exist already."""
    created = 0
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    for bureau, police, forward_to, first in ROUTES:
        if _seeded(units[bureau], first):
            continue
        created += ReferralDemo(units[bureau], users, units[police], units[forward_to],
                                first).create()
    return created


def _seeded(unit: OrgUnit, first: int) -> bool:
    return db.session.scalar(
        select(Case.id).join(CaseParty, CaseParty.case_id == Case.id)
        .join(Party, Party.id == CaseParty.party_id)
        .where(Case.unit_id == unit.id, Party.name.like(f"%（{MARKER}{first + 1}）%"))
        .limit(1)) is not None
