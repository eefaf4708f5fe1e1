"""Demo publications, made through the real workflow and publicity services: natural persons
and organisations (ID numbers and phones in the case file, masked in public), a typical case,
a repeat infringer, one withdrawn and one taken down at the end of its period."""
from datetime import timedelta

from sqlalchemy import func, select

from enforcement.clocks import sweep
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import acting_as_of, local_today, utcnow
from enforcement.demo.seed import DemoCases
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.publicity import services
from enforcement.publicity.models import EntryStatus, PublicationEntry

BASIS = "《中华人民共和国商标法》第五十七条第（三）项、第六十条第二款"
#: facts naming a phone number and a home address inside free text: masked in public
PERSON_FACTS = ("当事人（联系电话：139 0478 1234，住临河区新华街88号2单元301室）在其经营的店铺内"
                "销售标有“河套”字样的面粉30袋，经商标权利人辨认系假冒注册商标的商品。"
                "当事人通过尾号为6222020200001234567的银行账户收取货款。")


def _number(demo: DemoCases, person: bool, start: int) -> int:
    """A demo case number whose invented party is a natural person (or an organisation)."""
    n = start
    while ((demo.unit.id * 100 + n) % 3 == 0) != person:
        n += 1
    return n


def _decide_and_publish(demo: DemoCases, case, *, fine: str, violation: str, heavier="",
                        goods=True):
    case = demo.act(case, "decide_penalty", demo.head, violation=violation, legal_basis=BASIS,
                    fine=fine, confiscated_goods="没收侵权商品" if goods else None,
                    heavier_reasoning=heavier or None)
    case = demo.serve(case, "penalty_decision")
    return demo.act(case, "publish", demo.head)


def _entry(case) -> PublicationEntry:
    return db.session.scalar(select(PublicationEntry).where(PublicationEntry.case_id == case.id)
                             .order_by(PublicationEntry.id.desc()))


def seed_publicity(users) -> int:
    """Idempotent: nothing is made once a demo publication has ended."""
    ended = db.session.scalar(select(func.count()).select_from(PublicationEntry)
                              .where(PublicationEntry.status != EntryStatus.active))
    if ended:
        return 0
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "linhe_amr"))
    demo = DemoCases(unit, users)
    today = local_today()
    made = 0

    # a natural person, with a phone, an address and an account in the facts: a typical case
    case = demo.to_decision_review(demo.new_case(_number(demo, True, 51)))
    case = _decide_and_publish(demo, case, fine="30000", violation=PERSON_FACTS)
    services.set_typical(_entry(case).id, users["supervisor"], True,
                         "网店与实体店同时销售假冒地理标志证明商标商品，典型性强。")
    made += 1

    # an organisation penalised again within five years: 从重, on the exposure page
    n = _number(demo, False, 55)
    demo.same_party[n + 1] = n
    first = demo.to_decision_review(demo.new_case(n))
    _decide_and_publish(demo, first, fine="40000",
                        violation="当事人在其门店销售假冒“河套王”注册商标的白酒48瓶。")
    again = demo.to_decision_review(demo.new_case(n + 1))
    _decide_and_publish(demo, again, fine="80000",
                        violation="当事人再次销售假冒“河套王”注册商标的白酒120瓶。",
                        heavier="当事人一年内第二次因销售假冒注册商标的商品受到处罚。")
    made += 2

    # withdrawn: the decision was revoked on administrative review (Order 45 Art. 14)
    case = demo.to_decision_review(demo.new_case(_number(demo, False, 60)))
    case = _decide_and_publish(demo, case, fine="20000",
                               violation="当事人销售侵犯“维信”注册商标专用权的羊绒衫12件。")
    entry = _entry(case)
    services.record_revocation(entry.id, demo.head, kind="revoked",
                               decided_on=today.isoformat(),
                               reason="巴彦淖尔市临河区人民政府行政复议决定撤销原处罚决定（演示）。")
    services.withdraw(entry.id, demo.head, "原行政处罚决定已被行政复议机关撤销。")
    made += 1

    # taken down: a lower-amount fine for a natural person (3 months), published 4 months ago
    with acting_as_of(today - timedelta(days=130)):
        case = demo.to_decision_review(demo.new_case(_number(demo, True, 64)))
        case = _decide_and_publish(demo, case, fine="5000", goods=False,
                                   violation="当事人销售假冒“巴美肉羊”注册商标的羊肉礼盒5盒。")
    _sweep_period(case)
    made += 1
    return made


def _sweep_period(case) -> None:
    """Let the sweep handle this case's publication period, which has run out."""
    clock_id = db.session.scalar(select(Clock.id).where(
        Clock.case_id == case.id, Clock.kind == "publication_period",
        Clock.status == ClockStatus.running))
    db.session.commit()
    report = sweep.SweepReport()
    sweep._handle(clock_id, local_today(), utcnow(), report)
    db.session.commit()
