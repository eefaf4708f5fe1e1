"""Small helpers for clock tests: take actions as demo users, on a chosen day."""
from contextlib import nullcontext
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from enforcement.auth.models import User
from enforcement.cases import services
from enforcement.cases.intake import CaseData, PartyData, register_case
from enforcement.cases.models import Case
from enforcement.clocks.models import Clock, ClockEvent
from enforcement.db import acting_as_of
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.parties.models import PartyKind
from tests.conftest import user


def unit(code) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def form(**fields) -> MultiDict:
    items = []
    for key, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            if v is not None and v is not False:
                items.append((key, v.isoformat() if isinstance(v, date) else str(v)))
    return MultiDict(items)


def on(day: date | None):
    return acting_as_of(day) if day else nullcontext()


def act(case_id, action, username, day: date | None = None, **fields):
    with on(day):
        version = db.session.get(Case, case_id).version
        return services.perform(case_id, action, user(username), form(**fields),
                                expected_version=version)


def register(day: date, *, reporter_user: str | None = None, party=None) -> int:
    party = party or PartyData(PartyKind.organisation, "临河区期限测试商行",
                               address="临河区新华街1号")
    data = CaseData(cause="涉嫌销售假冒“河套”注册商标的面粉", summary="期限测试。",
                    district="linhe", occurred_on=day, parties=[party],
                    mark_numbers=["90000001"], reporter_name="张三",
                    reporter_contact=None if reporter_user else "13900000000",
                    reporter_user_id=user(reporter_user).id if reporter_user else None)
    with on(day):
        return register_case(user("linhe_unit_head"), unit("linhe_amr"), data).id


def clock(case_id, kind) -> Clock | None:
    db.session.expire_all()
    return db.session.scalar(select(Clock).where(Clock.case_id == case_id, Clock.kind == kind)
                             .order_by(Clock.id.desc()).limit(1))


def clocks(case_id, kind) -> list[Clock]:
    db.session.expire_all()
    return list(db.session.scalars(select(Clock).where(Clock.case_id == case_id,
                                                       Clock.kind == kind).order_by(Clock.id)))


def history(case_id, kind) -> list[str]:
    found = clock(case_id, kind)
    return [e.kind.value for e in db.session.scalars(
        select(ClockEvent).where(ClockEvent.clock_id == found.id).order_by(ClockEvent.id))]


def document(case_id, code) -> Document:
    return db.session.scalar(select(Document).where(Document.case_id == case_id,
                                                    Document.doc_type == code)
                             .order_by(Document.id.desc()).limit(1))


def serve(case_id, code, day: date):
    return act(case_id, "record_service", "linhe_inspector1", day,
               document=document(case_id, code).id, method="direct", served_on=day,
               recipient="当事人")


def team(case_id, day):
    act(case_id, "assign", "linhe_unit_head", day,
        inspectors=[user("linhe_inspector1").id, user("linhe_inspector2").id])


def filed(day: date, **kwargs) -> int:
    """A case registered, assigned, proposed and filed on ``day``."""
    case_id = register(day, **kwargs)
    team(case_id, day)
    act(case_id, "propose_filing", "linhe_inspector1", day, cause="涉嫌销售假冒注册商标的商品",
        facts="现场查见涉嫌侵权面粉。", proposal="file", reason="符合立案条件。")
    act(case_id, "approve_filing", "linhe_head", day, opinion="同意立案。")
    return case_id


def users(*names) -> list[User]:
    return [user(n) for n in names]
