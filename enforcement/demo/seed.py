"""``seed-demo``: idempotent demo data, with cases walked through the real workflow."""
from datetime import date, timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from enforcement.auth.models import User
from enforcement.auth.roles import sync_roles
from enforcement.auth.services import create_user
from enforcement.cases import services
from enforcement.cases.intake import CaseData, GoodsData, PartyData, register_case
from enforcement.cases.models import Case, CaseSource
from enforcement.db import acting_as_of, local_today
from enforcement.demo.reference import MARKS, USERS, units
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.orgs.models import OrgUnit
from enforcement.parties.identifiers import credit_code_check_char, id_number_check_char
from enforcement.parties.models import PartyKind
from enforcement.rules.services import seed_defaults as seed_rules


def seed(password: str) -> dict:
    """Create what is missing; never duplicates, never overwrites a changed password."""
    sync_roles()
    by_code = _seed_units()
    users = _seed_users(password, by_code)
    _seed_marks(users)
    rules_added = seed_rules()
    db.session.commit()
    calendar_years = seed_calendar(users["admin"])
    created = 0
    for unit_code in ("linhe_amr", "wuyuan_amr", "city_amr"):
        unit = by_code[unit_code]
        if not db.session.scalar(select(func.count()).where(Case.unit_id == unit.id)):
            created += DemoCases(unit, users).create()
    from enforcement.campaigns.demo import seed_campaign
    from enforcement.reports.demo import seed_reports

    campaigns = seed_campaign(users)  # its previous-quarter cases after the others
    reports = seed_reports(password)  # filed through the portal's service, after the cases
    from enforcement.referrals.demo import seed_referrals

    created += seed_referrals(users)  # transfers in each police state, for both police units
    from enforcement.publicity.demo import seed_publicity

    created += seed_publicity(users)  # published, withdrawn and taken-down decisions
    return {"units": len(by_code), "users": len(users), "cases_created": created,
            "rules_added": rules_added, "portal_reports_created": reports,
            "campaigns_created": campaigns, "calendar_years_entered": calendar_years}


#: what the demo enters for a year whose State Council notice the calendar package lacks
DEMO_NOTICE = ("演示用假期安排（{year}年，非真实通知）：仅含法定的元旦，未含春节等节日和调休；"
               "正式使用前，请管理员按国务院办公厅通知重新录入")


def seed_calendar(admin: User) -> list[int]:
    """The demo's cases run from a year back to weeks ahead, and a deployment's administrator
    has entered the holiday notices of those years (published each autumn for the next).
    Where the calendar package lacks one — past its last release, e.g. 2027 for
    chinese-calendar 1.11 — the demo enters a stand-in, labelled as such, with New Year's Day
    only (the one holiday fixed to a date by 《全国年节及纪念日放假办法》), through the same
    service as the administrator's page; the page shows it and an administrator replaces
    it. Returns the years entered."""
    from enforcement.clocks import holidays
    from enforcement.clocks.models import CalendarYear

    today = local_today()
    entered = []
    for year in range((today - timedelta(days=366)).year, today.year + 2):
        # never over what an administrator entered, even a notice still incomplete
        if not holidays.current().knows(year) and db.session.get(CalendarYear, year) is None:
            holidays.save_notice(holidays.NoticeEntry(
                year=year, notice=DEMO_NOTICE.format(year=year), complete=True,
                holidays=[("元旦", date(year, 1, 1), date(year, 1, 1))], workdays=[]), admin)
            entered.append(year)
    return entered


def _seed_units() -> dict[str, OrgUnit]:
    existing = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    for code, name, short, kind, parent, district in units():
        if code not in existing:
            unit = OrgUnit(code=code, name=name, short_name=short, kind=kind,
                           parent=existing[parent] if parent else None, district=district)
            db.session.add(unit)
            existing[code] = unit
    db.session.flush()
    return existing


def _seed_users(password, by_code) -> dict[str, User]:
    existing = {u.username: u for u in db.session.scalars(select(User))}
    for username, full_name, roles, unit_code, credential in USERS:
        if username not in existing:
            existing[username] = create_user(
                username, full_name, password, roles=roles,
                unit=by_code[unit_code] if unit_code else None, credential_no=credential)
    return existing


def _seed_marks(users):
    known = set(db.session.scalars(select(Trademark.reg_no)))
    for reg_no, name, mark_type, classes, goods, owner, owner_username in MARKS:
        if reg_no not in known:
            owner_user = users.get(owner_username) if owner_username else None
            db.session.add(Trademark(reg_no=reg_no, name=name, mark_type=mark_type,
                                     nice_classes=classes, goods=goods, owner_name=owner,
                                     owner_user_id=owner_user.id if owner_user else None,
                                     is_demo=True))
    db.session.flush()


class DemoCases:
    """Cases of one bureau, each taken by the workflow service to a different state."""

    def __init__(self, unit: OrgUnit, users: dict[str, User]):
        self.unit, self.users = unit, users
        prefix = unit.code.removesuffix("_amr")
        self.head = users[f"{prefix}_head"]
        self.unit_head = users.get(f"{prefix}_unit_head")
        self.reviewer = users.get(f"{prefix}_reviewer", users["city_reviewer"])
        self.inspector = users[f"{prefix}_inspector1"]
        self.colleague = users[f"{prefix}_inspector2"]
        self.today = local_today()
        self.count = 0
        #: case number -> the case whose party it shares (a repeat infringer in the demo)
        self.same_party: dict[int, int] = {}

    def create(self) -> int:
        if self.unit.code == "linhe_amr":
            self._every_state()
        else:
            self.new_case(1)
            self.to_investigating(self.new_case(2))
        return self.count

    # -- the building blocks ------------------------------------------------------------
    def new_case(self, n: int) -> Case:
        samples = [
            ("河套", "90000001", "河套雪花粉", "袋", "85", "某粮油店"),
            ("维信", "90000004", "羊绒衫", "件", "680", "某服装店"),
            ("河套王", "90000002", "河套王白酒", "瓶", "198", "某烟酒商行"),
            ("巴美肉羊", "90000003", "巴美羊肉礼盒", "盒", "260", "某冷鲜肉店"),
        ]
        mark, reg_no, goods, goods_unit, price, shop = samples[n % len(samples)]
        district_name = self.unit.name.replace("市场监督管理局", "").replace("巴彦淖尔市", "")
        data = CaseData(
            cause=f"涉嫌销售侵犯“{mark}”注册商标专用权的商品",
            summary=f"举报人反映{district_name}{shop}销售假冒“{mark}”商标的{goods}。",
            district=self.unit.district, source=CaseSource.portal if n % 2 else
            CaseSource.inspection,
            occurred_on=local_today() - timedelta(days=10 + n),
            occurred_place=f"{district_name}{shop}",
            parties=[self._party(n, district_name, shop)],
            mark_numbers=[reg_no],
            goods=[GoodsData(goods, quantity=str(20 + n), unit=goods_unit, unit_price=price)],
            reporter_name="权利人代理人（演示）" if n % 2 else None,
            reporter_contact="13800000000" if n % 2 else None,
        )
        self.count += 1
        creator = self.unit_head or self.inspector
        return register_case(creator, self.unit, data)

    def _party(self, n: int, district_name: str, shop: str) -> PartyData:
        n = self.same_party.get(n, n)  # the same identifier: recognised as the same party
        return _demo_party(self.unit.id * 100 + n, f"{district_name}{shop}（演示{n}）",
                           f"{district_name}胜利路{n}号")

    def act(self, case: Case, action: str, actor: User, **fields) -> Case:
        items = []
        for key, value in fields.items():
            values = value if isinstance(value, list) else [value]
            items.extend((key, str(v)) for v in values if v is not None and v is not False)
        outcome = services.perform(case.id, action, actor, MultiDict(items),
                                   expected_version=case.version)
        return outcome.case

    def serve(self, case: Case, doc_type: str) -> Case:
        document = db.session.scalar(select(Document).where(
            Document.case_id == case.id, Document.doc_type == doc_type,
            Document.served_at.is_(None)))
        return self.act(case, "record_service", self.inspector, document=document.id,
                        method="direct", served_on=local_today(),
                        recipient="当事人（演示）")

    # -- paths ----------------------------------------------------------------------------
    def to_verifying(self, case):
        return self.act(case, "assign", self.unit_head,
                        inspectors=[self.inspector.id, self.colleague.id])

    def to_filing_review(self, case):
        case = self.to_verifying(case)
        return self.act(case, "propose_filing", self.inspector, cause=case.cause,
                        facts="经现场核查，当事人店内陈列涉嫌侵权商品。", proposal="file",
                        reason="涉嫌违反《商标法》第五十七条，符合立案条件。")

    def to_investigating(self, case):
        case = self.to_filing_review(case)
        return self.act(case, "approve_filing", self.head, opinion="同意立案。")

    def to_legal_review(self, case):
        case = self.to_investigating(case)
        case = self.act(case, "record_inspection", self.inspector, place=case.occurred_place,
                        held_on=local_today(), content="现场查见涉嫌侵权商品若干，已拍照固定。")
        return self.act(case, "finish_investigation", self.inspector,
                        findings="当事人销售侵犯注册商标专用权的商品，事实清楚，证据确凿。",
                        outcome="penalty", proposed_fine="20000",
                        penalty_items="没收侵权商品，罚款人民币贰万元。")

    def to_notified(self, case):
        case = self.to_legal_review(case)
        return self.act(case, "pass_review", self.reviewer, opinion="事实清楚，适用法律正确。",
                        hearing_rights="y")

    def to_decision_review(self, case):
        case = self.to_notified(case)
        case = self.serve(case, "penalty_notice")
        case = self.act(case, "record_statement", self.inspector, kind="waiver",
                        content="当事人书面表示放弃陈述、申辩和听证。")
        return self.act(case, "submit_for_decision", self.inspector)

    def to_decided(self, case, serve=False, from_review=False):
        if not from_review:
            case = self.to_decision_review(case)
        case = self.act(case, "decide_penalty", self.head,
                        violation="当事人销售侵犯注册商标专用权的商品。",
                        legal_basis="《中华人民共和国商标法》第五十七条第（三）项、第六十条第二款",
                        fine="20000", confiscated_goods="没收侵权商品")
        if serve:
            case = self.serve(case, "penalty_decision")
        return case

    def to_referral_review(self, case):
        case = self.to_investigating(case)
        return self.act(case, "propose_transfer", self.inspector,
                        suspected_crime="sell_counterfeit",
                        report="当事人销售明知是假冒注册商标的商品，销售金额超过五万元，涉嫌犯罪。",
                        goods_list="假冒商品 300 件")

    def to_referred(self, case):
        case = self.to_referral_review(case)
        police = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "linhe_police"))
        return self.act(case, "approve_transfer", self.head, police_unit=police.id,
                        opinion="同意移送。")

    def police_decides(self, case, accept: bool):
        police = self.users["police_linhe"]
        case = self.act(case, "acknowledge_transfer", police, note="已签收。")
        if accept:
            return self.act(case, "accept_transfer", police,
                            police_case_no=f"临公经立字〔{self.today.year}〕{case.id}号")
        return self.act(case, "decline_transfer", police, ground="no_crime",
                        reason="现有证据不足以证明涉嫌犯罪。")

    def _every_state(self):
        """One 临河区 case in every state of the workflow (DESIGN §2).

        The party awaiting decision (case 11) is the one penalised in case 18 eight months
        ago: the decision form shows a repeat infringer, 从重 and the lower criminal threshold.
        """
        self.same_party[18] = 11
        self.new_case(1)  # registered
        self.to_verifying(self.new_case(2))
        self.to_filing_review(self.new_case(3))
        case = self.to_filing_review(self.new_case(4))
        self.act(case, "reject_filing", self.head, reason="现有证据不能证明存在违法行为。")
        case = self.to_verifying(self.new_case(5))
        wuyuan = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "wuyuan_amr"))
        self.act(case, "transfer_jurisdiction", self.head, target_unit=wuyuan.id,
                 reason="违法行为发生地在五原县。")
        self.to_investigating(self.new_case(6))
        case = self.to_investigating(self.new_case(7))
        self.act(case, "suspend", self.head, reason="商标权属存在争议，已向商标局申请裁定。",
                 legal_basis="《中华人民共和国商标法》第六十二条第三款")
        self.to_legal_review(self.new_case(8))
        self.to_notified(self.new_case(9))
        case = self.serve(self.to_notified(self.new_case(10)), "penalty_notice")
        self.act(case, "request_hearing", self.inspector,
                 hearing_on=_working_days_ahead(self.today, 10), place="临河区市场监管局听证室",
                 host="周法制")
        self.to_decision_review(self.new_case(11))
        self.to_decided(self.new_case(12))
        case = self.to_decided(self.new_case(13), serve=True)
        self.act(case, "publish", self.head)
        self.to_referral_review(self.new_case(14))
        self.to_referred(self.new_case(15))
        self.police_decides(self.to_referred(self.new_case(16)), accept=False)
        self.police_decides(self.to_referred(self.new_case(17)), accept=True)
        self._to_court_enforcement(18)
        case = self.to_decided(self.new_case(19), serve=True)
        case = self.act(case, "publish", self.head)
        case = self.act(case, "record_payment", self.inspector, amount="20000",
                        paid_on=self.today, reference="DEMO-0019")
        self.act(case, "close", self.head, summary="罚没款已缴清，处罚决定执行完毕，予以结案。")

    def _to_court_enforcement(self, n):
        # a history that began ten months ago: decided and served eight months ago, unpaid,
        # so the review and litigation periods are over; the demand served a month ago
        start = self.today - timedelta(days=300)
        with acting_as_of(start):
            case = self.to_decision_review(self.new_case(n))
        with acting_as_of(start + timedelta(days=60)):
            case = self.to_decided(case, serve=True, from_review=True)
            case = self.act(case, "publish", self.head)
        with acting_as_of(self.today - timedelta(days=45)):
            case = self.act(case, "serve_payment_demand", self.inspector,
                            content="请于收到本催告书之日起十日内缴纳罚款及加处罚款。")
            case = self.serve(case, "payment_demand")
        court = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "linhe_court"))
        return self.act(case, "apply_court_enforcement", self.head, court=court.id,
                        content="申请强制执行罚款人民币贰万元。")


def _demo_party(n: int, name: str, address: str) -> PartyData:
    """Invented parties with identifiers whose check digits are right."""
    if n % 3:
        body = f"92150802MA0D{n:05d}"
        return PartyData(PartyKind.organisation, name, address=address,
                         credit_code=body + credit_code_check_char(body))
    body = f"15080219800101{n % 1000:03d}"
    return PartyData(PartyKind.person, name.replace("（", "经营者（"), address=address,
                     id_number=body + id_number_check_char(body), phone="13900000000")


def _working_days_ahead(start, n):
    from enforcement.clocks import holidays
    from enforcement.clocks.calendar import add_working_days

    return add_working_days(start, n, holidays.current())
